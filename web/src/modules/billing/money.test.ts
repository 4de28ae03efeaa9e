import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '@/locales/zh-CN'
import en from '@/locales/en'
import { formatRate, formatYuan, formatYuanDecimal, monthLabel, parseMonth, ratePercent, roundDecimal, yuanToFen } from './money'

function translator(locale: 'zh-CN' | 'en') {
  const i18n = createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, en } })
  return (key: string, named?: Record<string, unknown>) => i18n.global.t(key, named ?? {})
}

describe('formatYuan', () => {
  it('shows fen as yuan with thousands separators and two decimals', () => {
    expect(formatYuan(100000)).toBe('1,000.00')
    expect(formatYuan(21025)).toBe('210.25')
    expect(formatYuan(7)).toBe('0.07')
    expect(formatYuan(0)).toBe('0.00')
    expect(formatYuan(-123456)).toBe('-1,234.56')
    expect(formatYuan(123456789012)).toBe('1,234,567,890.12')
    expect(formatYuan(null)).toBe('')
  })
})

describe('roundDecimal / formatYuanDecimal', () => {
  it('rounds half away from zero without floating point', () => {
    expect(roundDecimal('5.000', 2)).toBe('5.00')
    expect(roundDecimal('5.005', 2)).toBe('5.01')
    expect(roundDecimal('0.166665', 2)).toBe('0.17')
    expect(roundDecimal('0.499995', 2)).toBe('0.50')
    expect(roundDecimal('-1.5', 0)).toBe('-2')
    expect(roundDecimal('-0.001', 2)).toBe('0.00')
    expect(roundDecimal('7', 2)).toBe('7.00')
    expect(roundDecimal('abc', 2)).toBe('abc')
  })

  it('writes a decimal amount of yuan as the page shows it', () => {
    expect(formatYuanDecimal('5.000')).toBe('5.00')
    expect(formatYuanDecimal('12345.675')).toBe('12,345.68')
    expect(formatYuanDecimal('-12345.675')).toBe('-12,345.68')
    expect(formatYuanDecimal('garbage')).toBe('garbage')
  })

  it('rounds every half away from zero (四舍五入), as the server charges', () => {
    // The halves where half-to-even or float rounding ((2.675).toFixed(2) is "2.67") differ.
    const halves: [string, string][] = [
      ['0.005', '0.01'],
      ['0.015', '0.02'],
      ['0.025', '0.03'],
      ['1.005', '1.01'],
      ['2.675', '2.68'],
      ['-0.005', '-0.01'],
      ['-0.015', '-0.02'],
      ['-2.675', '-2.68'],
      ['0.0049', '0.00'],
    ]
    for (const [text, shown] of halves) {
      expect(roundDecimal(text, 2), text).toBe(shown)
      expect(formatYuanDecimal(text), text).toBe(shown)
    }
    expect(yuanToFen('0.005')).toBe(1n)
    expect(yuanToFen('-2.675')).toBe(-268n)
    expect(yuanToFen('x')).toBeNull()
    // The late-fee line of 1 day × 10.00 元 × 0.0005: 0.005 → 0.01, the same as the charge.
    expect(formatYuanDecimal('0.0050')).toBe(formatYuan(1))
  })
})

describe('formatRate', () => {
  it('shows a fraction as a percentage with two decimals', () => {
    expect(formatRate('0.8734')).toBe('87.34%')
    expect(formatRate('1')).toBe('100.00%')
    expect(formatRate('0.5')).toBe('50.00%')
    expect(formatRate('0')).toBe('0.00%')
    expect(formatRate('0.00005')).toBe('0.01%')
    expect(formatRate('')).toBe('')
  })

  it('computes chart percentages from fen', () => {
    expect(ratePercent(8734, 10000)).toBe(87.34)
    expect(ratePercent(1, 3)).toBe(33.33)
    expect(ratePercent(5, 0)).toBe(0)
  })
})

describe('monthLabel', () => {
  it('names a month as people do', () => {
    expect(monthLabel('2026-01', translator('zh-CN'))).toBe('2026年1月')
    expect(monthLabel('2026-12', translator('zh-CN'))).toBe('2026年12月')
    expect(monthLabel('2026-01', translator('en'))).toBe('Jan 2026')
    expect(monthLabel('garbage', translator('en'))).toBe('garbage')
  })

  it('parses YYYY-MM only', () => {
    expect(parseMonth('2026-03')).toEqual({ year: 2026, month: 3 })
    expect(parseMonth('2026-13')).toBeNull()
    expect(parseMonth('2026-3')).toBeNull()
  })
})
