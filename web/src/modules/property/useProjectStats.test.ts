import { describe, expect, it } from 'vitest'
import { occupancyRate } from './useProjectStats'

describe('occupancyRate', () => {
  it('is the occupied share of houses, one decimal at most', () => {
    expect(occupancyRate({ houses: 8, occupied: 5 })).toBe('62.5%')
    expect(occupancyRate({ houses: 3, occupied: 1 })).toBe('33.3%')
    expect(occupancyRate({ houses: 4, occupied: 4 })).toBe('100%')
    expect(occupancyRate({ houses: 10, occupied: 0 })).toBe('0%')
  })

  it('has no rate without houses', () => {
    expect(occupancyRate({ houses: 0, occupied: 0 })).toBe('—')
    expect(occupancyRate(null)).toBe('—')
  })
})
