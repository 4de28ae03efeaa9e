// Where to go after signing in.
import type { Me } from '@/api/types'

const RESIDENT_ROLES = new Set(['resident'])
const FIELD_STAFF_ROLES = new Set(['technician', 'guard'])

/**
 * Where a user lands after signing in without a target: residents on the resident H5,
 * technicians and guards (and nobody else) on the staff H5, everybody else in the console.
 */
export function homePathFor(me: Pick<Me, 'grants'>): string {
  const roles = me.grants.map((g) => g.role)
  if (roles.length === 0) return '/dashboard'
  if (belongsOnPhone(me)) return '/m'
  if (roles.every((r) => FIELD_STAFF_ROLES.has(r))) return '/m/staff'
  return '/dashboard'
}

/** A user who is only a resident: the staff console is not for them; the resident H5 is. */
export function belongsOnPhone(me: Pick<Me, 'grants'>): boolean {
  return me.grants.length > 0 && me.grants.every((g) => RESIDENT_ROLES.has(g.role))
}

/** Only same-site paths are followed after sign-in (no open redirect, no loop back to /login). */
export function safeRedirect(value: unknown): string | null {
  const path = Array.isArray(value) ? value[0] : value
  if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//') || path.startsWith('/\\')) {
    return null
  }
  if (path === '/login' || path.startsWith('/login?') || path.startsWith('/login/')) return null
  return path
}
