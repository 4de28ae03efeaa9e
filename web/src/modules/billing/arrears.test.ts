import { describe, expect, it } from 'vitest'
import { AGE_BANDS, arrearsSummaryCells, arrearsTotals, bandShares, sortArrearsRows } from './arrears'
import type { ArrearsRow } from './types'

const row = (building_id: number, building_name: string, bands: number[], houses = 1): ArrearsRow => ({
  building_id,
  building_name,
  houses,
  band_1_3_fen: bands[0] ?? 0,
  band_4_6_fen: bands[1] ?? 0,
  band_7_12_fen: bands[2] ?? 0,
  band_over_12_fen: bands[3] ?? 0,
  total_fen: bands.reduce((s, b) => s + b, 0),
})

describe('arrears report', () => {
  it('has the four age bands in order', () => {
    expect(AGE_BANDS.map((b) => b.key)).toEqual(['band_1_3_fen', 'band_4_6_fen', 'band_7_12_fen', 'band_over_12_fen'])
  })

  it('orders buildings naturally', () => {
    const rows = [row(3, '10栋', [1]), row(1, '2栋', [1]), row(2, '1栋', [1])]
    expect(sortArrearsRows(rows).map((r) => r.building_name)).toEqual(['1栋', '2栋', '10栋'])
  })

  it('sums the rows, or takes the totals the server sends', () => {
    const rows = [row(1, '1栋', [100, 200, 0, 50], 3), row(2, '2栋', [1000, 0, 0, 0], 2)]
    expect(arrearsTotals({ rows })).toEqual({
      band_1_3_fen: 1100,
      band_4_6_fen: 200,
      band_7_12_fen: 0,
      band_over_12_fen: 50,
      total_fen: 1350,
      houses: 5,
    })
    const total = { band_1_3_fen: 1, band_4_6_fen: 2, band_7_12_fen: 3, band_over_12_fen: 4, total_fen: 10 }
    expect(arrearsTotals({ rows, total })).toMatchObject({ ...total, houses: 5 })
    expect(arrearsTotals({ rows, total, houses: 4 }).houses).toBe(4)
    expect(arrearsTotals(null).total_fen).toBe(0)
  })

  it('writes the summary line in yuan', () => {
    const totals = { band_1_3_fen: 123456, band_4_6_fen: 0, band_7_12_fen: 100, band_over_12_fen: 0, total_fen: 123556, houses: 7 }
    const columns = [{ property: 'building_name' }, { property: 'houses' }, ...AGE_BANDS.map((b) => ({ property: b.key })), { property: 'total_fen' }, {}]
    expect(arrearsSummaryCells(columns, totals, '合计')).toEqual(['合计', '7', '1,234.56', '0.00', '1.00', '0.00', '1,235.56', ''])
  })

  it('shows how the total splits by age', () => {
    const totals = { band_1_3_fen: 500, band_4_6_fen: 250, band_7_12_fen: 250, band_over_12_fen: 0, total_fen: 1000 }
    expect(bandShares(totals).map((s) => s.percent)).toEqual([50, 25, 25, 0])
    expect(bandShares({ ...totals, total_fen: 0 }).map((s) => s.percent)).toEqual([0, 0, 0, 0])
  })
})
