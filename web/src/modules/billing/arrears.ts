// The arrears report (欠费报表): overdue principal by building and by how long it has been overdue.
import type { AgeBands, ArrearsReport, ArrearsRow } from './types'
import { formatYuan } from './money'

export type BandKey = keyof Omit<AgeBands, 'total_fen'>

/** The four age bands, oldest last, with their `billing.bands.*` label keys. */
export const AGE_BANDS: readonly { key: BandKey; label: string }[] = [
  { key: 'band_1_3_fen', label: 'billing.bands.b1_3' },
  { key: 'band_4_6_fen', label: 'billing.bands.b4_6' },
  { key: 'band_7_12_fen', label: 'billing.bands.b7_12' },
  { key: 'band_over_12_fen', label: 'billing.bands.over12' },
]

/** Buildings in natural order ("2栋" before "10栋"), the ones that owe first when asked. */
export function sortArrearsRows(rows: readonly ArrearsRow[]): ArrearsRow[] {
  return [...rows].sort((a, b) => a.building_name.localeCompare(b.building_name, 'zh-CN', { numeric: true }))
}

/** The totals row: the report's own when it sends one, else the sum of the rows. */
export function arrearsTotals(report: (Pick<ArrearsReport, 'rows'> & { total?: AgeBands & { houses?: number }; houses?: number }) | null): AgeBands & { houses: number } {
  const sum = { band_1_3_fen: 0, band_4_6_fen: 0, band_7_12_fen: 0, band_over_12_fen: 0, total_fen: 0, houses: 0 }
  if (!report) return sum
  for (const row of report.rows) {
    for (const band of AGE_BANDS) sum[band.key] += row[band.key]
    sum.total_fen += row.total_fen
    sum.houses += row.houses
  }
  if (report.total) {
    const { houses, ...bands } = report.total
    Object.assign(sum, bands)
    if (typeof houses === 'number') sum.houses = houses
  }
  if (typeof report.houses === 'number') sum.houses = report.houses
  return sum
}

/** The summary line Element Plus shows under the table, one cell per column. */
export function arrearsSummaryCells(
  columns: readonly { property?: string }[],
  totals: AgeBands & { houses: number },
  totalLabel: string,
): string[] {
  return columns.map((column, index) => {
    if (index === 0) return totalLabel
    const key = column.property as keyof typeof totals | undefined
    if (key === 'houses') return String(totals.houses)
    if (key && key in totals) return formatYuan(totals[key])
    return ''
  })
}

/** The share of the total owed in each band, for the little bar under the table (0–100, one decimal). */
export function bandShares(totals: AgeBands): { key: BandKey; percent: number }[] {
  return AGE_BANDS.map(({ key }) => ({
    key,
    percent: totals.total_fen > 0 ? Math.round((totals[key] * 1000) / totals.total_fen) / 10 : 0,
  }))
}
