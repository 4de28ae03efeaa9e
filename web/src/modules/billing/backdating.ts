// Money dated before the day it is recorded (补录). The server records every payment today: late
// fees count up to today, and what the earlier day would have saved is proposed as a waiver that
// someone else with the approval permission must approve. These helpers keep the counter's date
// picker inside the server's window and show what such a payment left waiting.
import type { Adjustment, HouseAccount } from './types'

/** How far back money may be dated (the server's `linli_core::date::BACKDATING_WINDOW_MONTHS`). */
export const BACKDATING_WINDOW_MONTHS = 12

function parts(day: string): [number, number, number] | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : null
}

const pad = (n: number) => String(n).padStart(2, '0')

/**
 * The earliest `received_on` allowed on `today` (YYYY-MM-DD): the same day a year back, the end
 * of the month when that month is shorter ("2024-02-29" → "2023-02-28"), as chrono counts it.
 */
export function earliestReceivedOn(today: string): string {
  const p = parts(today)
  if (!p) return today
  const [y, m, d] = p
  const total = y * 12 + (m - 1) - BACKDATING_WINDOW_MONTHS
  const year = Math.floor(total / 12)
  const month = (total % 12) + 1
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate()
  return `${String(year).padStart(4, '0')}-${pad(month)}-${pad(Math.min(d, last))}`
}

/** Whether a day (YYYY-MM-DD) can be the day money came in, recorded on `today`. */
export function receivedOnAllowed(day: string, today: string): boolean {
  if (!parts(day)) return false
  return day <= today && day >= earliestReceivedOn(today)
}

/** Earlier than the day it is recorded: late fees still count to today, a waiver is proposed. */
export function isBackdated(day: string, today: string): boolean {
  return parts(day) !== null && day < today
}

/** The house's waivers left by backdated payments and still awaiting approval. */
export function backdatingWaivers(account: Pick<HouseAccount, 'pending_adjustments'> | null): Adjustment[] {
  return (account?.pending_adjustments ?? []).filter((a) => a.payment_id !== null && a.payment_id !== undefined)
}

/** Their sum in fen. */
export function waiversTotal(waivers: readonly Pick<Adjustment, 'amount_fen'>[]): number {
  return waivers.reduce((sum, w) => sum + w.amount_fen, 0)
}
