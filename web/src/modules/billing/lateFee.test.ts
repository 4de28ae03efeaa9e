import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '@/locales/zh-CN'
import en from '@/locales/en'
import { chineseNumber, dailyRateText, dailyRateZh, lateFeeSpanText, percentText } from './lateFee'

function translator(locale: 'zh-CN' | 'en') {
  const i18n = createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, en } })
  return (key: string, named?: Record<string, unknown>) => i18n.global.t(key, named ?? {})
}

describe('daily rates', () => {
  it('says rates the way Chinese bills do', () => {
    expect(dailyRateZh('0.0005')).toBe('万分之五')
    expect(dailyRateZh('0.00050')).toBe('万分之五')
    expect(dailyRateZh('0.0003')).toBe('万分之三')
    expect(dailyRateZh('0.001')).toBe('千分之一')
    expect(dailyRateZh('0.003')).toBe('千分之三')
    expect(dailyRateZh('0.0015')).toBe('万分之十五')
    expect(dailyRateZh('0.01')).toBe('百分之一')
    expect(dailyRateZh('0.00015')).toBe('0.015%')
  })

  it('writes Chinese numbers', () => {
    expect(chineseNumber(1)).toBe('一')
    expect(chineseNumber(10)).toBe('十')
    expect(chineseNumber(15)).toBe('十五')
    expect(chineseNumber(25)).toBe('二十五')
    expect(chineseNumber(105)).toBe('一百零五')
    expect(chineseNumber(1001)).toBe('一千零一')
  })

  it('uses a percentage in English', () => {
    expect(percentText('0.0005')).toBe('0.05%')
    expect(percentText('0.003')).toBe('0.3%')
    expect(percentText('0.01')).toBe('1%')
    expect(dailyRateText('0.0005', 'en')).toBe('0.05%')
    expect(dailyRateText('0.0005', 'zh-CN')).toBe('万分之五')
  })
})

describe('lateFeeSpanText', () => {
  const span = { from: '2026-02-01', to: '2026-02-10', days: 10, principal_fen: 100000, amount: '5.000' }

  it('explains one span of days at one principal', () => {
    expect(lateFeeSpanText(span, '0.0005', translator('zh-CN'), 'zh-CN')).toBe(
      '2026-02-01 – 2026-02-10 · 10 天 × 1,000.00 元 × 万分之五 = 5.00 元',
    )
    expect(lateFeeSpanText(span, '0.0005', translator('en'), 'en')).toBe(
      '2026-02-01 – 2026-02-10 · 10 days × 1,000.00 CNY × 0.05% = 5.00 CNY',
    )
  })

  it('shows the exact product rounded to fen', () => {
    const third = { from: '2026-02-01', to: '2026-02-03', days: 3, principal_fen: 33333, amount: '0.499995' }
    expect(lateFeeSpanText(third, '0.0005', translator('zh-CN'), 'zh-CN')).toBe('2026-02-01 – 2026-02-03 · 3 天 × 333.33 元 × 万分之五 = 0.50 元')
  })

  it('rounds a half fen up as the charge does (四舍五入), never to even', () => {
    // 1 day × 10.00 元 × 0.0005 = 0.005 元: the bill charges 0.01, and so does the line.
    const half = { from: '2026-02-01', to: '2026-02-01', days: 1, principal_fen: 1000, amount: '0.0050' }
    expect(lateFeeSpanText(half, '0.0005', translator('zh-CN'), 'zh-CN')).toBe('2026-02-01 – 2026-02-01 · 1 天 × 10.00 元 × 万分之五 = 0.01 元')
    const more = { from: '2026-02-01', to: '2026-02-01', days: 1, principal_fen: 535000, amount: '2.6750' }
    expect(lateFeeSpanText(more, '0.0005', translator('zh-CN'), 'zh-CN')).toBe('2026-02-01 – 2026-02-01 · 1 天 × 5,350.00 元 × 万分之五 = 2.68 元')
  })
})
