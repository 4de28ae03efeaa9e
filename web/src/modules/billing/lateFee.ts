// The late-fee (滞纳金) explanation: one sentence per span of days at one principal,
// "2026-02-01 – 2026-02-10 · 10 天 × 1,000.00 元 × 万分之五 = 5.00 元".
import { readDecimal } from '@/utils/decimal'
import type { LateFeeSpan } from './types'
import { formatYuan, formatYuanDecimal } from './money'

type T = (key: string, named?: Record<string, unknown>) => string

const DIGITS = ['零', '一', '二', '三', '四', '五', '六', '七', '八', '九']

/** 1 → 一, 15 → 十五, 25 → 二十五, 105 → 一百零五 (1–9999). */
export function chineseNumber(n: number): string {
  if (!Number.isInteger(n) || n <= 0 || n >= 10000) return String(n)
  const units = ['', '十', '百', '千']
  const digits = String(n).split('').map(Number)
  let out = ''
  let zero = false
  digits.forEach((d, i) => {
    const unit = units[digits.length - 1 - i]!
    if (d === 0) {
      zero = out !== ''
      return
    }
    if (zero) out += '零'
    zero = false
    out += DIGITS[d]! + unit
  })
  // 一十五 → 十五
  return out.startsWith('一十') ? out.slice(1) : out
}

/** A decimal string times 10^k as an integer, or null when it is not a whole number: ("0.0005", 4) → 5. */
function scaledInteger(rate: string, k: number): number | null {
  const d = readDecimal(rate)
  if (!d || d.sign !== '') return null
  const whole = d.whole || '0'
  const fraction = d.fraction.replace(/0+$/, '')
  if (fraction.length > k) return null
  const value = Number(whole + fraction.padEnd(k, '0'))
  return Number.isSafeInteger(value) ? value : null
}

/**
 * A daily rate as Chinese finance says it: "0.0005" → "万分之五", "0.001" → "千分之一",
 * "0.0015" → "万分之十五", "0.01" → "百分之一"; anything finer → "0.00015" as a percentage.
 */
export function dailyRateZh(rate: string): string {
  for (const [k, name] of [
    [2, '百分之'],
    [3, '千分之'],
    [4, '万分之'],
  ] as const) {
    const n = scaledInteger(rate, k)
    if (n !== null && n > 0 && (n < 10 || k === 4) && n < 10000) return `${name}${chineseNumber(n)}`
  }
  return `${percentText(rate)}`
}

/** "0.0005" → "0.05%" (exact, trailing zeros dropped). */
export function percentText(rate: string): string {
  const d = readDecimal(rate)
  if (!d || d.sign !== '') return rate
  const fraction = d.fraction.padEnd(2, '0')
  const whole = `${d.whole || '0'}${fraction.slice(0, 2)}`.replace(/^0+(?=\d)/, '')
  const rest = fraction.slice(2).replace(/0+$/, '')
  return `${whole}${rest ? `.${rest}` : ''}%`
}

/** The daily rate in the user's language: 万分之五 / 0.05% a day. */
export function dailyRateText(rate: string, locale: string): string {
  return locale.startsWith('zh') ? dailyRateZh(rate) : percentText(rate)
}

/** One span's sentence: "2026-02-01 – 2026-02-10 · 10 天 × 1,000.00 元 × 万分之五 = 5.00 元". */
export function lateFeeSpanText(span: LateFeeSpan, dailyRate: string, t: T, locale: string): string {
  return t('billing.lateFee.span', {
    from: span.from,
    to: span.to,
    days: span.days,
    principal: formatYuan(span.principal_fen),
    rate: dailyRateText(dailyRate, locale),
    amount: formatYuanDecimal(span.amount),
  })
}
