import { describe, expect, it } from 'vitest'
import { backdatingWaivers, earliestReceivedOn, isBackdated, receivedOnAllowed, waiversTotal } from './backdating'
import type { Adjustment } from './types'

const waiver = (id: number, amount: number, paymentId: number | null): Adjustment => ({
  id,
  project_id: 1,
  house_id: 1,
  house_label: '1栋1单元301',
  bill_id: 10 + id,
  kind: 'waive_late_fee',
  amount_fen: amount,
  reason: 'x',
  state: 'pending',
  requested_by: 2,
  requested_at: '2026-12-01T02:00:00Z',
  decided_by: null,
  decided_at: null,
  payment_id: paymentId,
})

describe('the backdating window', () => {
  it('reaches back a year, as the server counts it', () => {
    expect(earliestReceivedOn('2026-12-01')).toBe('2025-12-01')
    expect(earliestReceivedOn('2026-01-15')).toBe('2025-01-15')
    expect(earliestReceivedOn('2024-02-29')).toBe('2023-02-28')
  })

  it('allows today and the year before it, nothing later or earlier', () => {
    expect(receivedOnAllowed('2026-12-01', '2026-12-01')).toBe(true)
    expect(receivedOnAllowed('2026-11-24', '2026-12-01')).toBe(true)
    expect(receivedOnAllowed('2025-12-01', '2026-12-01')).toBe(true)
    expect(receivedOnAllowed('2025-11-30', '2026-12-01')).toBe(false)
    expect(receivedOnAllowed('2026-12-02', '2026-12-01')).toBe(false)
    expect(receivedOnAllowed('2000-01-01', '2026-12-01')).toBe(false)
    expect(receivedOnAllowed('2026-1-1', '2026-12-01')).toBe(false)
  })

  it('calls a day before today backdated', () => {
    expect(isBackdated('2026-11-24', '2026-12-01')).toBe(true)
    expect(isBackdated('2026-12-01', '2026-12-01')).toBe(false)
  })
})

describe('waivers left by backdated payments', () => {
  it('are the pending adjustments that name a payment', () => {
    const account = { pending_adjustments: [waiver(1, 350, 7), waiver(2, 1000, null), waiver(3, 75, 8)] }
    const left = backdatingWaivers(account)
    expect(left.map((w) => w.id)).toEqual([1, 3])
    expect(waiversTotal(left)).toBe(425)
    expect(backdatingWaivers(null)).toEqual([])
  })
})
