// Who is signed in: the `me` answer, its permissions, and sign-in / sign-out.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, ok, rememberCsrfToken } from '@/api/client'
import { ApiError } from '@/api/errors'
import type { Me, Permission } from '@/api/types'

export const useSessionStore = defineStore('session', () => {
  const me = ref<Me | null>(null)
  /** True once we know whether somebody is signed in. */
  const loaded = ref(false)
  let pending: Promise<Me | null> | null = null

  const permissions = computed(() => new Set(me.value?.permissions ?? []))
  const isAuthenticated = computed(() => me.value !== null)
  /** Holds a grant over every project (company-wide work such as reconciliation). */
  const companyWide = computed(() => (me.value?.grants ?? []).some((g) => g.project_id == null))
  const roleCodes = computed(() => [...new Set((me.value?.grants ?? []).map((g) => g.role))])

  function can(permission?: Permission | null): boolean {
    return !permission || permissions.value.has(permission)
  }

  /** Asks the server who we are (once; later calls reuse the answer). */
  function load(): Promise<Me | null> {
    if (loaded.value) return Promise.resolve(me.value)
    pending ??= ok(api.GET('/api/v1/auth/me'))
      .then((user) => {
        me.value = user
        loaded.value = true
        return user
      })
      .catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) {
          me.value = null
          loaded.value = true
          return null
        }
        throw error
      })
      .finally(() => {
        pending = null
      })
    return pending
  }

  /** Fetches `me` again (after a change to projects or grants shows up in it). */
  async function refresh(): Promise<void> {
    me.value = await ok(api.GET('/api/v1/auth/me'))
  }

  async function login(username: string, password: string): Promise<Me> {
    const answer = await ok(api.POST('/api/v1/auth/login', { body: { username, password } }))
    rememberCsrfToken(answer.csrf_token)
    me.value = answer.user
    loaded.value = true
    return answer.user
  }

  async function logout(): Promise<void> {
    try {
      await ok(api.POST('/api/v1/auth/logout'))
    } catch (error) {
      // Already signed out on the server is fine: we are leaving anyway.
      if (!(error instanceof ApiError && error.status === 401)) throw error
    } finally {
      clear()
    }
  }

  /** Forgets the user locally (after sign-out or when the server says the session is gone). */
  function clear(): void {
    me.value = null
    loaded.value = true
    rememberCsrfToken(null)
  }

  return { me, loaded, permissions, isAuthenticated, companyWide, roleCodes, can, load, refresh, login, logout, clear }
})
