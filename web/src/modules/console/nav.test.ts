import { describe, expect, it } from 'vitest'
import { NAV_GROUPS, PERMISSIONS, groupOf, visibleGroups } from './nav'
import { BUILT_PAGES } from '@/router/pages'

describe('navigation', () => {
  it('hides the entries whose permission the user lacks', () => {
    const groups = visibleGroups((p) => !p)
    const keys = groups.flatMap((g) => g.items.map((i) => i.key))
    expect(keys).not.toContain('projects')
    expect(keys).not.toContain('users')
    expect(keys).not.toContain('auditLog')
    expect(keys).not.toContain('houses')
    expect(keys).not.toContain('residents')
    expect(keys).not.toContain('equipment')
    expect(keys).not.toContain('bills')
    expect(keys).not.toContain('arrears')
    expect(keys).not.toContain('counter')
    expect(keys).not.toContain('roles')
    expect(keys).toEqual([])
  })

  it('lists only pages that are built (no "coming soon" entries)', () => {
    const keys = NAV_GROUPS.flatMap((g) => g.items.map((i) => i.key))
    expect(keys.filter((k) => !BUILT_PAGES.has(k))).toEqual([])
    for (const unbuilt of ['workOrders', 'complaints', 'access', 'visitors', 'vehicles', 'inspections']) {
      expect(keys).not.toContain(unbuilt)
    }
  })

  it('shows everything to a user with every permission', () => {
    const all = new Set<string>(Object.values(PERMISSIONS))
    const count = visibleGroups((p) => !p || all.has(p)).flatMap((g) => g.items).length
    expect(count).toBe(NAV_GROUPS.flatMap((g) => g.items).length)
  })

  it('shows company-wide work (reconciliation) only to a user with a company-wide grant', () => {
    const all = new Set<string>(Object.values(PERMISSIONS))
    const keys = (companyWide: boolean) =>
      visibleGroups((p) => !p || all.has(p), companyWide).flatMap((g) => g.items.map((i) => i.key))
    expect(keys(true)).toContain('reconciliations')
    expect(keys(false)).not.toContain('reconciliations')
    expect(keys(false)).toContain('paymentOrders')
  })

  it('has unique keys and paths', () => {
    const items = NAV_GROUPS.flatMap((g) => g.items)
    expect(new Set(items.map((i) => i.key)).size).toBe(items.length)
    expect(new Set(items.map((i) => i.path)).size).toBe(items.length)
  })

  it('finds the group of a page', () => {
    expect(groupOf('projects')?.key).toBe('basic')
    expect(groupOf('auditLog')?.key).toBe('system')
    expect(groupOf('arrears')?.key).toBe('billing')
    expect(groupOf('dashboard')).toBeUndefined()
  })
})
