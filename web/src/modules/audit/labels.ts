// How an audit entry names its actor and project, shared by the audit page and the dashboard.
import { useI18n } from 'vue-i18n'
import type { AuditEntry } from '@/api/types'
import { useProjectStore } from '@/stores/project'

export function useAuditLabels() {
  const { t } = useI18n()
  const projects = useProjectStore()
  return {
    /** "张三", "#12" when the name is gone, "系统" for the system's own actions. */
    actor(entry: Pick<AuditEntry, 'actor_id' | 'actor_name'>): string {
      if (entry.actor_name) return entry.actor_name
      return entry.actor_id == null ? t('audit.system') : `#${entry.actor_id}`
    },
    /** The project's name, or "公司级" for company-wide entries. */
    project(entry: Pick<AuditEntry, 'project_id'>): string {
      if (entry.project_id == null) return t('audit.companyScope')
      return projects.nameOf(entry.project_id) ?? `#${entry.project_id}`
    },
  }
}
