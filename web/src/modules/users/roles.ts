// The role catalogue (GET /roles), fetched once per page load and named in the current language.
import { ref } from 'vue'
import { useI18n } from 'vue-i18n'
import type { Role } from '@/api/types'
import { listRoles } from './api'

const roles = ref<Role[]>([])
let loading: Promise<Role[]> | null = null

function fetchRoles(): Promise<Role[]> {
  loading ??= listRoles()
    .then((list) => {
      roles.value = list
      return list
    })
    .catch((error: unknown) => {
      loading = null
      throw error
    })
  return loading
}

export function roleName(role: Pick<Role, 'name_zh' | 'name_en' | 'code'>, locale: string): string {
  return (locale === 'en' ? role.name_en : role.name_zh) || role.code
}

export function useRoleNames() {
  const { locale, t, te } = useI18n()
  return {
    roles,
    /** Loads the catalogue; failures leave codes shown as they are. */
    load: () => fetchRoles().catch(() => roles.value),
    reload: () => {
      loading = null
      return fetchRoles()
    },
    nameOf(code: string): string {
      const role = roles.value.find((r) => r.code === code)
      if (role) return roleName(role, locale.value)
      return te(`roles.builtin.${code}`) ? t(`roles.builtin.${code}`) : code
    },
  }
}
