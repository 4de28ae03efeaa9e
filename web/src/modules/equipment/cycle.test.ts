import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '@/locales/zh-CN'
import en from '@/locales/en'
import { cycleText, daysUntil, dueState } from './cycle'

function translator(locale: 'zh-CN' | 'en') {
  const i18n = createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, en } })
  return (key: string, named?: Record<string, unknown>) => i18n.global.t(key, named ?? {})
}
const zh = translator('zh-CN')
const english = translator('en')

describe('cycleText', () => {
  it('says the cycle as people do', () => {
    expect(cycleText(15, 'day', zh)).toBe('每15天')
    expect(cycleText(2, 'week', zh)).toBe('每2周')
    expect(cycleText(3, 'month', zh)).toBe('每3个月')
    expect(cycleText(1, 'month', zh)).toBe('每月')
    expect(cycleText(1, 'year', zh)).toBe('每年')
    expect(cycleText(15, 'day', english)).toBe('Every 15 days')
    expect(cycleText(1, 'week', english)).toBe('Weekly')
  })

  it('has no cycle without a unit or a positive count', () => {
    expect(cycleText(null, 'day', zh)).toBe('不定期')
    expect(cycleText(3, null, zh)).toBe('不定期')
    expect(cycleText(0, 'day', english)).toBe('No fixed cycle')
  })
})

describe('dueState', () => {
  it('counts calendar days', () => {
    expect(daysUntil('2026-12-01', '2026-11-26')).toBe(5)
    expect(daysUntil('2026-11-25', '2026-11-26')).toBe(-1)
    expect(daysUntil('2027-03-01', '2027-02-28')).toBe(1)
  })

  it('is overdue after the date, soon within a week, fine after', () => {
    expect(dueState('2026-11-25', '2026-11-26')).toBe('overdue')
    expect(dueState('2026-11-26', '2026-11-26')).toBe('soon')
    expect(dueState('2026-12-03', '2026-11-26')).toBe('soon')
    expect(dueState('2026-12-04', '2026-11-26')).toBe('ok')
    expect(dueState(null, '2026-11-26')).toBe('none')
    expect(dueState('garbage', '2026-11-26')).toBe('none')
  })
})
