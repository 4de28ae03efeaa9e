// Decimal text the API exchanges as strings: areas in m² ("52000.50") and yuan typed into forms.
// Plain string arithmetic: no floating point touches an area or an amount. `readDecimal` is the
// app's one reading of decimal text; each rule (areas here, money, rates, meter quantities, prices)
// decides on its pieces what it accepts.
import { groupThousands } from './format'

/** Why a typed number was refused; each is a `fieldErrors.<code>` message. */
export type DecimalProblem = 'required' | 'invalid_format' | 'must_be_positive' | 'too_many_decimals' | 'out_of_range'

export type Parsed<T> = { ok: true; value: T } | { ok: false; code: DecimalProblem }

const DECIMAL = /^([+-]?)(\d*)(?:(\.)(\d*))?$/

/** Decimal text in its pieces, as written. */
export interface DecimalText {
  sign: '' | '+' | '-'
  /** The digits before the point ("" in ".5"). */
  whole: string
  /** A point was written ("5." has one, with no fraction). */
  point: boolean
  /** The digits after the point. */
  fraction: string
}

/**
 * Reads text of the shape `[+-]digits[.digits]` around which whitespace is ignored (and, with
 * `thousands`, the commas of "52,000.5"). Every piece may be empty: "" and "." read as nothing
 * written, and the caller decides what its rule accepts. Null for any other shape.
 */
export function readDecimal(input: string | number, thousands = false): DecimalText | null {
  const trimmed = String(input).trim()
  const match = DECIMAL.exec(thousands ? trimmed.replace(/,/g, '') : trimmed)
  if (!match) return null
  const [, sign = '', whole = '', point, fraction = ''] = match
  return { sign: sign as DecimalText['sign'], whole, point: point !== undefined, fraction }
}

/** Has digits before the point and, when a point is written, after it too ("12", "12.5"; not "12.", ".5"). */
export const isPlainNumber = (d: DecimalText): boolean => d.whole !== '' && (!d.point || d.fraction !== '')

interface Parts {
  negative: boolean
  whole: string
  fraction: string
}

/** Splits "  -0012.500 " into sign, whole digits without leading zeros and fraction without trailing zeros. */
function split(input: string | number): Parts | null {
  const parsed = readDecimal(input, true)
  if (!parsed) return null
  const { sign, whole, fraction } = parsed
  if (whole === '' && fraction === '') return null
  return {
    negative: sign === '-',
    whole: whole.replace(/^0+(?=\d)/, '') || '0',
    fraction: fraction.replace(/0+$/, ''),
  }
}

const isZero = (p: Parts) => /^0+$/.test(p.whole) && p.fraction === ''

/**
 * An area typed by a user, as the API wants it: positive, at most two decimals, written with two
 * ("88.5" → "88.50"). Thousands separators are tolerated.
 */
export function parseArea(input: string | number | null | undefined): Parsed<string> {
  if (input === null || input === undefined || String(input).trim() === '') return { ok: false, code: 'required' }
  const parts = split(input)
  if (!parts) return { ok: false, code: 'invalid_format' }
  if (parts.negative || isZero(parts)) return { ok: false, code: 'must_be_positive' }
  if (parts.fraction.length > 2) return { ok: false, code: 'too_many_decimals' }
  return { ok: true, value: `${parts.whole}.${parts.fraction.padEnd(2, '0')}` }
}

/** "52000.5" → "52,000.50 m²" (without the unit when `unit` is false); empty for nothing. */
export function formatArea(value: string | number | null | undefined, unit = true): string {
  if (value === null || value === undefined || value === '') return ''
  const parts = split(value)
  if (!parts) return String(value)
  const text = `${parts.negative ? '-' : ''}${groupThousands(parts.whole)}.${parts.fraction.padEnd(2, '0')}`
  return unit ? `${text} m²` : text
}

/** Yuan typed into a form → integer fen: "1234.5" → 123450. Zero is fine, negative is not. */
export function parseYuan(input: string | number | null | undefined): Parsed<number> {
  if (input === null || input === undefined || String(input).trim() === '') return { ok: false, code: 'required' }
  const parts = split(input)
  if (!parts) return { ok: false, code: 'invalid_format' }
  if (parts.negative && !isZero(parts)) return { ok: false, code: 'out_of_range' }
  if (parts.fraction.length > 2) return { ok: false, code: 'too_many_decimals' }
  const fen = BigInt(parts.whole) * 100n + BigInt(parts.fraction.padEnd(2, '0'))
  if (fen > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false, code: 'out_of_range' }
  return { ok: true, value: Number(fen) }
}

/** Integer fen → the yuan text a form field starts with: 123450 → "1234.50". */
export function fenToYuanText(fen: number | null | undefined): string {
  if (fen === null || fen === undefined || !Number.isSafeInteger(fen)) return ''
  const negative = fen < 0
  const abs = BigInt(Math.abs(fen))
  return `${negative ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`
}

/** A share in percent ("50", "33.33") → "50.00"; 0 < share ≤ 100, two decimals at most. */
export function parseShare(input: string | number | null | undefined): Parsed<string> {
  const area = parseArea(input)
  if (!area.ok) return area.code === 'must_be_positive' ? { ok: false, code: 'out_of_range' } : area
  const [whole = '0'] = area.value.split('.')
  if (whole.length > 3 || (whole.length === 3 && area.value !== '100.00')) return { ok: false, code: 'out_of_range' }
  return area
}
