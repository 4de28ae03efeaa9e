import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from './zh-CN'
import en from './en'
import { NAV_GROUPS } from '@/modules/console/nav'
import { PROJECT_KINDS } from '@/modules/property/kinds'
import { AUDIT_ACTIONS, AUDIT_ENTITIES, PERMISSIONS } from '@/modules/audit/catalogue'
// The server's closed lists, read from its source: a new action, object kind or permission fails
// this test until both languages name it.
import auditRs from '../../../crates/linli-core/src/audit.rs?raw'
import permissionRs from '../../../crates/linli-core/src/permission.rs?raw'

type Tree = { [key: string]: string | Tree }

function leafKeys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string' ? [`${prefix}${key}`] : leafKeys(value, `${prefix}${key}.`),
  )
}

const zhKeys = leafKeys(zhCN)
const enKeys = leafKeys(en)

describe('locale files', () => {
  it('zh-CN has every key en has', () => {
    expect(enKeys.filter((k) => !zhKeys.includes(k))).toEqual([])
  })

  it('en has every key zh-CN has', () => {
    expect(zhKeys.filter((k) => !enKeys.includes(k))).toEqual([])
  })

  it('has no empty message', () => {
    const empty = (tree: Tree) => leafKeys(tree).filter((k) => k.split('.').reduce<string | Tree>((t, p) => (t as Tree)[p]!, tree) === '')
    expect(empty(zhCN)).toEqual([])
    expect(empty(en)).toEqual([])
  })

  it('names every nav group and entry, and every project kind, in both languages', () => {
    const needed = [
      'nav.dashboard',
      ...NAV_GROUPS.map((g) => `nav.groups.${g.key}`),
      ...NAV_GROUPS.flatMap((g) => g.items.map((i) => `nav.${i.key}`)),
      ...PROJECT_KINDS.map((k) => `projects.kinds.${k}`),
    ]
    expect(needed.filter((k) => !zhKeys.includes(k))).toEqual([])
    expect(needed.filter((k) => !enKeys.includes(k))).toEqual([])
  })

  it('names every audit action, object kind and permission the server can produce, in both languages', () => {
    const list = (source: string, name: string) => {
      const body = source.split(`pub const ${name}: &[&str] = &[`)[1]?.split('];')[0] ?? ''
      return [...body.matchAll(/"([a-z_.]+)"/g)].map((m) => m[1]!)
    }
    const actions = list(auditRs, 'ACTIONS')
    const entities = list(auditRs, 'ENTITIES')
    const permissions = [...permissionRs.matchAll(/^\s+\w+ = "([a-z_.]+)",$/gm)].map((m) => m[1]!)
    expect(actions.length).toBeGreaterThan(50)
    expect(entities.length).toBeGreaterThan(15)
    expect(permissions.length).toBeGreaterThan(20)
    expect([...AUDIT_ACTIONS].sort()).toEqual([...actions].sort())
    expect([...AUDIT_ENTITIES].sort()).toEqual([...entities].sort())
    expect([...PERMISSIONS].sort()).toEqual([...permissions].sort())
    const needed = [
      ...actions.map((a) => `audit.actions.${a}`),
      ...entities.map((e) => `audit.entities.${e}`),
      ...permissions.map((p) => `roles.perms.${p}`),
    ]
    expect(needed.filter((k) => !zhKeys.includes(k))).toEqual([])
    expect(needed.filter((k) => !enKeys.includes(k))).toEqual([])
    expect(zhCN.audit.actions.auth.session.created).toBe('登录')
    expect(zhCN.roles.perms.billing.payment.collect).toBe('收款')
  })

  it('every message compiles and renders with vue-i18n in both languages', () => {
    const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN, en } })
    for (const locale of ['zh-CN', 'en'] as const) {
      i18n.global.locale.value = locale
      for (const key of zhKeys) {
        const text = i18n.global.t(key, { name: 'X', n: 1, year: 2026, date: '2026-11-26', module: 'M', status: 500, rate: '50%', value: '1****2', kinds: 'X', time: '14:05', shown: 20, total: 84 })
        expect(text, `${locale}: ${key}`).not.toBe(key)
        expect(text, `${locale}: ${key}`).not.toContain('{')
      }
    }
  })

  it('shows the labels the browser test looks for', () => {
    expect(zhCN.nav.projects).toBe('项目')
    expect(zhCN.nav.dashboard).toBe('工作台')
    expect(zhCN.auth.login.submit).toBe('登录')
    expect(en.nav.projects).toBe('Projects')
    expect(en.nav.dashboard).toBe('Dashboard')
    expect(en.auth.login.submit).toBe('Sign in')
  })
})
