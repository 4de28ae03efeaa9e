// Money, rates and months as the billing pages show them. Amounts are integer fen and stay exact:
// "1,000.00" is built from the digits, never from a float.
//
// One rounding rule wherever money is shown, the server's too: 四舍五入, half away from zero
// (0.005 → 0.01, 2.675 → 2.68, -0.005 → -0.01). `roundDecimal` is the only rounding and
// `formatYuan` the only writing of an amount; nothing here uses toFixed or Math.round on money.
import { readDecimal } from '@/utils/decimal'
import { formatMoney } from '@/utils/format'

/** Integer fen → yuan with thousands separators and two decimals, without the sign ¥: 100000 → "1,000.00". */
export function formatYuan(fen: number | bigint | null | undefined): string {
  if (fen === null || fen === undefined) return ''
  return formatMoney(fen).replace('¥', '')
}

interface DecimalParts {
  negative: boolean
  whole: string
  fraction: string
}

function splitDecimal(text: string): DecimalParts | null {
  const d = readDecimal(text)
  if (!d || (!d.whole && !d.fraction)) return null
  return { negative: d.sign === '-', whole: d.whole || '0', fraction: d.fraction }
}

/**
 * A decimal string rounded half away from zero to `places` decimals, exactly:
 * ("5.005", 2) → "5.01", ("0.166665", 2) → "0.17", ("-1.5", 0) → "-2". Garbage comes back as it is.
 */
export function roundDecimal(text: string, places: number): string {
  const parts = splitDecimal(text)
  if (!parts) return text
  const scale = 10n ** BigInt(places)
  const digits = BigInt(parts.whole + parts.fraction.padEnd(places, '0').slice(0, places))
  const next = parts.fraction.charAt(places)
  const rounded = next !== '' && Number(next) >= 5 ? digits + 1n : digits
  const whole = (rounded / scale).toString()
  const fraction = places > 0 ? `.${(rounded % scale).toString().padStart(places, '0')}` : ''
  const negative = parts.negative && rounded !== 0n
  return `${negative ? '-' : ''}${whole}${fraction}`
}

/** A decimal amount of yuan rounded to the fen (四舍五入), as integer fen: "0.005" → 1n; null for garbage. */
export function yuanToFen(text: string): bigint | null {
  const parts = splitDecimal(roundDecimal(text, 2))
  if (!parts) return null
  const fen = BigInt(parts.whole + parts.fraction.padEnd(2, '0'))
  return parts.negative ? -fen : fen
}

/** A decimal amount of yuan ("5.000", "0.166665") as shown next to 元: "5.00", "0.17", with thousands separators. */
export function formatYuanDecimal(text: string): string {
  const fen = yuanToFen(text)
  return fen === null ? text : formatYuan(fen)
}

/** A fraction as a percentage with two decimals: "0.8734" → "87.34%", "1" → "100.00%". */
export function formatRate(rate: string | null | undefined): string {
  if (rate === null || rate === undefined || rate === '') return ''
  const parts = splitDecimal(rate)
  if (!parts) return rate
  // Move the decimal point two places to the right, then round to two decimals.
  const fraction = parts.fraction.padEnd(2, '0')
  const shifted = `${parts.negative ? '-' : ''}${parts.whole}${fraction.slice(0, 2)}.${fraction.slice(2) || '0'}`
  const rounded = roundDecimal(shifted, 2)
  const clean = rounded.replace(/^(-?)0+(?=\d)/, '$1')
  return `${clean}%`
}

/** Collected ÷ billed as a percentage number for charts (two decimals); 0 when nothing was billed. */
export function ratePercent(collectedFen: number, billedFen: number): number {
  if (billedFen <= 0) return 0
  return Math.round((collectedFen * 10000) / billedFen) / 100
}

/** Fen as a number of yuan for charts (a chart axis may use floating point; tables never do). */
export function fenToYuanNumber(fen: number): number {
  return fen / 100
}

/** "2026-01" → { year: 2026, month: 1 }; null for anything else. */
export function parseMonth(period: string): { year: number; month: number } | null {
  const match = /^(\d{4})-(\d{2})$/.exec(period)
  if (!match) return null
  const month = Number(match[2])
  if (month < 1 || month > 12) return null
  return { year: Number(match[1]), month }
}

type T = (key: string, named?: Record<string, unknown>) => string

/** "2026-01" → "2026年1月" (zh-CN) / "Jan 2026" (en). */
export function monthLabel(period: string, t: T): string {
  const parsed = parseMonth(period)
  if (!parsed) return period
  return t('billing.monthLabel', { year: parsed.year, n: parsed.month, name: t(`billing.monthNames.m${parsed.month}`) })
}

/** The month of `today` (YYYY-MM-DD) as "YYYY-MM". */
export function currentMonth(today: string): string {
  return today.slice(0, 7)
}

/** A period of a bill: "2026-01-01 – 2026-01-31". */
export function periodText(start: string, end: string): string {
  return start === end ? start : `${start} – ${end}`
}
