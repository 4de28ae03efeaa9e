import { describe, expect, it } from 'vitest'
import { allocationSteps, chargeFen, oneOffItems, refundProblem, refundSources, standardFor } from './desk'

describe('one-off charges', () => {
  it('offer only the active one-off items', () => {
    const items = [
      { id: 1, kind: 'area', active: true },
      { id: 2, kind: 'one_off', active: true },
      { id: 3, kind: 'one_off', active: false },
    ]
    expect(oneOffItems(items).map((f) => f.id)).toEqual([2])
  })

  it('are priced by the standard in force today, a named use before the general one', () => {
    const standards = [
      { id: 1, effective_from: '2023-01-01', price: '2000' },
      { id: 2, effective_from: '2025-01-01', effective_to: '2025-12-31', price: '2500' },
      { id: 3, effective_from: '2024-01-01', house_usage: 'shop', price: '5000' },
      { id: 4, effective_from: '2024-01-01', service_level: 'gold', price: '9999' },
    ]
    expect(standardFor(standards, '2026-03-01', 'residential')?.id).toBe(1)
    expect(standardFor(standards, '2025-06-30', 'residential')?.id).toBe(2)
    expect(standardFor(standards, '2025-06-30', 'shop')?.id).toBe(3)
    expect(standardFor(standards, '2022-12-31', 'residential')).toBeNull()
  })

  it('come to quantity × price, rounded to the fen half away from zero', () => {
    expect(chargeFen('2000', 1)).toBe(200_000)
    expect(chargeFen('20', 3)).toBe(6_000)
    expect(chargeFen('12.345', 1)).toBe(1_235)
    expect(chargeFen('0.125', 3)).toBe(38) // 0.375 → 0.38
    expect(chargeFen('abc', 1)).toBeNull()
    expect(chargeFen('20', 1.5)).toBeNull()
  })
})

describe('refunds', () => {
  const balances = [
    { fee_item_id: 7, amount_fen: 5_000 },
    { fee_item_id: null, amount_fen: 12_000 },
    { fee_item_id: 8, amount_fen: 0 },
  ]

  it('come from a balance that holds something, the general one first', () => {
    expect(refundSources(balances).map((b) => b.fee_item_id)).toEqual([null, 7])
  })

  it('never exceed what the chosen balance holds', () => {
    expect(refundProblem(balances, null, 12_000)).toBeNull()
    expect(refundProblem(balances, null, 12_001)).toBe('exceeds_balance')
    expect(refundProblem(balances, 7, 5_001)).toBe('exceeds_balance')
    expect(refundProblem(balances, 9, 1)).toBe('exceeds_balance')
    expect(refundProblem(balances, null, 0)).toBe('must_be_positive')
  })
})

describe('the allocation order', () => {
  it('pays each bill principal then late fee by default, oldest first', () => {
    expect(allocationSteps('oldest_first', 'after_principal')).toEqual([
      { bill: 'older', part: 'principal' },
      { bill: 'older', part: 'late_fee' },
      { bill: 'newer', part: 'principal' },
      { bill: 'newer', part: 'late_fee' },
    ])
  })

  it('can take late fees first, or only after every principal, newest first', () => {
    expect(allocationSteps('newest_first', 'before_principal').map((s) => `${s.bill}:${s.part}`)).toEqual([
      'newer:late_fee',
      'newer:principal',
      'older:late_fee',
      'older:principal',
    ])
    expect(allocationSteps('oldest_first', 'after_all_principal').map((s) => `${s.bill}:${s.part}`)).toEqual([
      'older:principal',
      'newer:principal',
      'older:late_fee',
      'newer:late_fee',
    ])
  })
})
