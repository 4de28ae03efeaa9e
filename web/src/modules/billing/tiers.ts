// Tiered prices (阶梯价) as the standard dialog edits them: rows of "up to" and price, the last
// one open-ended. Checked here the way the server checks them, without floating point.
import { isPlainNumber, readDecimal } from '@/utils/decimal'
import type { Tier } from './types'

export interface TierRow {
  up_to: string
  price: string
}

export type PriceProblem = 'required' | 'invalid_format' | 'too_many_decimals' | 'must_not_be_negative' | 'must_be_positive'

/** A price typed into the form ("2.35", up to four decimals, not negative), or why not. */
export function checkPrice(text: string, places = 4): PriceProblem | null {
  const value = text.trim()
  if (value === '') return 'required'
  if (value.startsWith('-')) return 'must_not_be_negative'
  const d = readDecimal(value)
  if (!d || d.sign !== '' || !isPlainNumber(d)) return 'invalid_format'
  if (d.fraction.length > places) return 'too_many_decimals'
  return null
}

/** Compares two non-negative decimal strings. */
export function compareDecimal(a: string, b: string): number {
  const [aw = '0', af = ''] = a.trim().split('.')
  const [bw = '0', bf = ''] = b.trim().split('.')
  const width = Math.max(af.length, bf.length)
  const x = BigInt(aw + af.padEnd(width, '0'))
  const y = BigInt(bw + bf.padEnd(width, '0'))
  return x < y ? -1 : x > y ? 1 : 0
}

export interface TierProblem {
  index: number
  field: 'up_to' | 'price'
  code: PriceProblem | 'not_ascending'
}

/**
 * The problems of a tier table: each price is a price; each bound but the last is a positive number
 * greater than the one before; the last row has no bound (all the rest).
 */
export function checkTiers(rows: readonly TierRow[]): TierProblem[] {
  const problems: TierProblem[] = []
  let previous: string | null = null
  rows.forEach((row, index) => {
    const priceProblem = checkPrice(row.price)
    if (priceProblem) problems.push({ index, field: 'price', code: priceProblem })
    const last = index === rows.length - 1
    if (last) return
    const bound = row.up_to.trim()
    const boundProblem = checkPrice(bound)
    if (boundProblem) {
      problems.push({ index, field: 'up_to', code: boundProblem })
      return
    }
    if (compareDecimal(bound, '0') <= 0) {
      problems.push({ index, field: 'up_to', code: 'must_be_positive' })
      return
    }
    if (previous !== null && compareDecimal(bound, previous) <= 0) problems.push({ index, field: 'up_to', code: 'not_ascending' })
    previous = bound
  })
  return problems
}

/** The tiers to send: bounds as typed, the last one open-ended. */
export function tiersFromRows(rows: readonly TierRow[]): Tier[] {
  return rows.map((row, index) => ({
    up_to: index === rows.length - 1 ? null : row.up_to.trim(),
    price: row.price.trim(),
  }))
}

/** "0 – 10: 3.5", "10 – 20: 4.2", "> 20: 5" — one text per tier, for the price history. */
export function tierTexts(tiers: readonly Tier[], unit = ''): string[] {
  let from = '0'
  return tiers.map((tier) => {
    const text = tier.up_to ? `${from} – ${tier.up_to}${unit}: ${tier.price}` : `> ${from}${unit}: ${tier.price}`
    if (tier.up_to) from = tier.up_to
    return text
  })
}
