// Meter reading helpers for the phone page: periods, exact decimal arithmetic on registers (in
// thousandths, never floats) and the consumption preview shown before a reading is sent. The
// server decides; the preview only warns early.

import { PERMISSIONS } from '@/modules/console/nav'
import { isPlainNumber, readDecimal } from '@/utils/decimal'

export const METER_PERMISSIONS = {
  read: PERMISSIONS.meterRead,
  manage: PERMISSIONS.meterManage,
  enter: PERMISSIONS.readingEnter,
} as const

export const METER_KINDS = ['water', 'electricity', 'gas'] as const
export type MeterKind = (typeof METER_KINDS)[number]

/** `YYYY-MM` of a date, in local time. */
export function periodOf(date: Date): string {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}`
}

/** The period `months` before (negative) or after `period`. */
export function shiftPeriod(period: string, months: number): string {
  const [y, m] = period.split('-').map(Number)
  const index = y * 12 + (m - 1) + months
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`
}

/** A register as integer thousandths, or null when it is not a number with at most three decimals. */
export function toThousandths(text: string): bigint | null {
  const d = readDecimal(text)
  if (!d || d.sign !== '' || !isPlainNumber(d) || d.fraction.length > 3) return null
  return BigInt(d.whole) * 1000n + BigInt(d.fraction.padEnd(3, '0'))
}

/** Thousandths back to the shortest decimal text: 12500 → `12.5`. */
export function fromThousandths(v: bigint): string {
  const sign = v < 0n ? '-' : ''
  const abs = v < 0n ? -v : v
  const whole = abs / 1000n
  const frac = (abs % 1000n).toString().padStart(3, '0').replace(/0+$/, '')
  return frac ? `${sign}${whole}.${frac}` : `${sign}${whole}`
}

export interface Preview {
  /** With the multiplier applied, rounded to 0.001 half away from zero. */
  consumption: string
  /** Below the previous register: the server will ask for confirmation. */
  lower: boolean
}

/**
 * What the server will count for `value` read after `previous`. A lower value counts as the
 * meter restarted at 0 once confirmed, so the preview shows `value × multiplier` then.
 */
export function preview(previous: string, value: string, multiplier: string): Preview | null {
  const p = toThousandths(previous)
  const v = toThousandths(value)
  const m = toThousandths(multiplier)
  if (p === null || v === null || m === null) return null
  const lower = v < p
  const raw = (lower ? v : v - p) * m // millionths
  const rounded = (raw + 500n) / 1000n
  return { consumption: fromThousandths(rounded), lower }
}

export interface SheetLine {
  reading?: { state: string } | null
}

/** Meters read this period (a rejected reading is still to read) and all meters on the sheet. */
export function progress(rows: SheetLine[]): { read: number; total: number } {
  const read = rows.filter((r) => r.reading && r.reading.state !== 'rejected').length
  return { read, total: rows.length }
}
