import { describe, expect, it } from 'vitest'
import { checkPrice, checkTiers, compareDecimal, tierTexts, tiersFromRows } from './tiers'

describe('tiered prices', () => {
  it('checks a price as typed', () => {
    expect(checkPrice('2.35')).toBeNull()
    expect(checkPrice('0')).toBeNull()
    expect(checkPrice('')).toBe('required')
    expect(checkPrice('-1')).toBe('must_not_be_negative')
    expect(checkPrice('1.23456')).toBe('too_many_decimals')
    expect(checkPrice('abc')).toBe('invalid_format')
  })

  it('compares decimals exactly', () => {
    expect(compareDecimal('10', '9.99')).toBe(1)
    expect(compareDecimal('10.0', '10')).toBe(0)
    expect(compareDecimal('0.1', '0.25')).toBe(-1)
  })

  it('wants rising bounds and an open last tier', () => {
    const rows = [
      { up_to: '10', price: '3.5' },
      { up_to: '20', price: '4.2' },
      { up_to: 'ignored', price: '5' },
    ]
    expect(checkTiers(rows)).toEqual([])
    expect(tiersFromRows(rows)).toEqual([
      { up_to: '10', price: '3.5' },
      { up_to: '20', price: '4.2' },
      { up_to: null, price: '5' },
    ])
    expect(checkTiers([{ up_to: '10', price: '3.5' }, { up_to: '10', price: '4' }, { up_to: '', price: '' }])).toEqual([
      { index: 1, field: 'up_to', code: 'not_ascending' },
      { index: 2, field: 'price', code: 'required' },
    ])
    expect(checkTiers([{ up_to: '0', price: '1' }, { up_to: '', price: '2' }])).toEqual([{ index: 0, field: 'up_to', code: 'must_be_positive' }])
  })

  it('describes the tiers', () => {
    expect(tierTexts([{ up_to: '10', price: '3.5' }, { up_to: null, price: '5' }])).toEqual(['0 – 10: 3.5', '> 10: 5'])
  })
})
