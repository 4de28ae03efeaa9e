// The counter's other errands, as pure rules: one-off charges (装修押金, 门禁卡: which items, which
// standard applies today, what quantity × price comes to), refunds from the prepaid balance (from
// which balance, at most what it holds), and how a project's allocation order spends a payment.
// The server decides every amount; these only preview and check early.

import { isPlainNumber, readDecimal } from '@/utils/decimal'
import { roundDecimal } from './money'

export interface FeeItemLike {
  id: number
  kind: string
  active: boolean
}

/** The project's fee items a cashier may charge on demand. */
export function oneOffItems<T extends FeeItemLike>(items: readonly T[]): T[] {
  return items.filter((f) => f.kind === 'one_off' && f.active)
}

export interface StandardLike {
  id: number
  house_usage?: string | null
  service_level?: string | null
  effective_from: string
  effective_to?: string | null
  price: string
}

/**
 * The standard that prices a charge on `day` for a house of `usage`, as the server picks it: in
 * force that day, not naming another use, the most specific (a named use beats none), then the
 * latest start, then the newest. Null when none applies. Standards naming a service level are
 * left out: one-off charges carry none.
 */
export function standardFor<T extends StandardLike>(standards: readonly T[], day: string, usage: string | null): T | null {
  let best: { fit: number; s: T } | null = null
  for (const s of standards) {
    if (s.effective_from > day || (s.effective_to && day > s.effective_to)) continue
    if (s.service_level) continue
    if (s.house_usage && s.house_usage !== usage) continue
    const fit = s.house_usage ? 1 : 0
    if (
      !best ||
      fit > best.fit ||
      (fit === best.fit && (s.effective_from > best.s.effective_from || (s.effective_from === best.s.effective_from && s.id > best.s.id)))
    ) {
      best = { fit, s }
    }
  }
  return best?.s ?? null
}

/** Quantity × price in yuan, rounded to the fen half away from zero, as integer fen; null for a bad price. */
export function chargeFen(price: string, quantity: number): number | null {
  if (!Number.isInteger(quantity) || quantity < 0) return null
  const d = readDecimal(price)
  if (!d || d.sign !== '' || !isPlainNumber(d)) return null
  const fraction = d.fraction
  const scaled = BigInt(d.whole + fraction) * BigInt(quantity)
  const text = fraction ? `${scaled / 10n ** BigInt(fraction.length)}.${(scaled % 10n ** BigInt(fraction.length)).toString().padStart(fraction.length, '0')}` : scaled.toString()
  const [whole, cents = '00'] = roundDecimal(text, 2).split('.')
  const fen = BigInt(whole!) * 100n + BigInt(cents)
  return fen > BigInt(Number.MAX_SAFE_INTEGER) ? null : Number(fen)
}

export interface BalanceLike {
  fee_item_id?: number | null
  amount_fen: number
}

/** The balances money can be returned from (only what holds something), the general one first. */
export function refundSources<T extends BalanceLike>(balances: readonly T[]): T[] {
  return balances.filter((b) => b.amount_fen > 0).sort((a, b) => (a.fee_item_id ? 1 : 0) - (b.fee_item_id ? 1 : 0))
}

/** What a refund of `amountFen` from the balance of `earmark` (null = general) would be refused for, if anything. */
export function refundProblem(balances: readonly BalanceLike[], earmark: number | null, amountFen: number): 'must_be_positive' | 'exceeds_balance' | null {
  if (!(amountFen > 0)) return 'must_be_positive'
  const held = balances.find((b) => (b.fee_item_id ?? null) === earmark)?.amount_fen ?? 0
  return amountFen > held ? 'exceeds_balance' : null
}

export type BillOrder = 'oldest_first' | 'newest_first'
export type LateFeeOrder = 'before_principal' | 'after_principal' | 'after_all_principal'
export interface AllocationStep {
  /** Which of two open bills, by due date. */
  bill: 'older' | 'newer'
  part: 'principal' | 'late_fee'
}

/** The order a payment pays two open bills in, step by step: what the settings page shows as an example. */
export function allocationSteps(bills: BillOrder, lateFees: LateFeeOrder): AllocationStep[] {
  const order: AllocationStep['bill'][] = bills === 'oldest_first' ? ['older', 'newer'] : ['newer', 'older']
  switch (lateFees) {
    case 'before_principal':
      return order.flatMap((bill) => [
        { bill, part: 'late_fee' as const },
        { bill, part: 'principal' as const },
      ])
    case 'after_principal':
      return order.flatMap((bill) => [
        { bill, part: 'principal' as const },
        { bill, part: 'late_fee' as const },
      ])
    case 'after_all_principal':
      return [...order.map((bill) => ({ bill, part: 'principal' as const })), ...order.map((bill) => ({ bill, part: 'late_fee' as const }))]
  }
}
