import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '@/locales/zh-CN'
import en from '@/locales/en'
import { changeRows, formatValue } from './change'

const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN, en } })
const tr = { t: (k: string) => i18n.global.t(k), te: (k: string) => i18n.global.te(k) }

describe('audit changes as labelled fields', () => {
  it('translates field names and formats money, dates, yes/no and known values', () => {
    const rows = changeRows(
      { id: 7, state: 'vacant', gross_area: '89.47', updated_at: '2026-11-01T02:00:00Z' },
      { id: 7, state: 'occupied', gross_area: '89.47', amount_fen: 123456, due_on: '2026-12-01', active: true },
      tr,
    )
    expect(rows.map((r) => r.label)).toEqual(['状态', '建筑面积', '金额', '应缴日期', '启用'])
    expect(rows[0]).toMatchObject({ before: '空置', after: '已入住', changed: true })
    expect(rows[1]).toMatchObject({ before: '89.47', after: '89.47', changed: false })
    expect(rows[2]!.after).toBe('1,234.56 元')
    expect(rows[3]!.after).toBe('2026-12-01')
    expect(rows[4]!.after).toBe('是')
  })

  it('shows nested objects one level deep and amounts given as yuan text', () => {
    const rows = changeRows(null, { grant: { role_code: 'cashier', project_id: 3 }, amount: '0.005' }, tr)
    expect(rows.map((r) => [r.label, r.before, r.after])).toEqual([
      ['角色授权 · 角色', '—', '收费员'],
      ['角色授权 · 项目', '—', '3'],
      ['金额', '—', '0.01 元'],
    ])
    expect(rows.every((r) => !r.changed)).toBe(true)
  })

  it('formats instants in Asia/Shanghai and leaves unknown text as it is', () => {
    expect(formatValue('confirmed_at', '2026-11-30T16:30:00Z', tr)).toBe('2026-12-01 00:30')
    expect(formatValue('note', '门口', tr)).toBe('门口')
    expect(formatValue('share_bp', 5000, tr)).toBe('50.00%')
  })
})
