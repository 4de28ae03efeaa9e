// How an audit entry names its actor, project, action and object, shared by the audit page and
// the dashboard. Managers see names: "张三", "登录", "房屋 1栋1单元702", never internal codes.
import { useI18n } from 'vue-i18n'
import type { AuditEntry } from '@/api/types'
import { useProjectStore } from '@/stores/project'

export function useAuditLabels() {
  const { t, te } = useI18n()
  const projects = useProjectStore()
  return {
    /** The display name, the login name when the user is gone, "系统" for the system's own actions. */
    actor(entry: Pick<AuditEntry, 'actor_id' | 'actor_name' | 'actor_display_name'>): string {
      if (entry.actor_display_name) return entry.actor_display_name
      if (entry.actor_id == null) return t('audit.system')
      return entry.actor_name ?? `#${entry.actor_id}`
    },
    /** The project's name, or "公司级" for company-wide entries. */
    project(entry: Pick<AuditEntry, 'project_id'>): string {
      if (entry.project_id == null) return t('audit.companyScope')
      return projects.nameOf(entry.project_id) ?? `#${entry.project_id}`
    },
    /** "登录" for `auth.session.created`. */
    action(action: string): string {
      return te(`audit.actions.${action}`) ? t(`audit.actions.${action}`) : action
    },
    /** "房屋" for `house`. */
    kind(entity: string): string {
      return te(`audit.entities.${entity}`) ? t(`audit.entities.${entity}`) : entity
    },
    /** The object's label ("1栋1单元702"), or its number when it has no name or is gone. */
    object(entry: Pick<AuditEntry, 'entity_id' | 'entity_label'>): string {
      if (entry.entity_label) return entry.entity_label
      return entry.entity_id == null ? '' : `#${entry.entity_id}`
    },
  }
}
