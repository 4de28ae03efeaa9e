// The collection-rate chart (收缴率): per month, billed and collected as bars (元) and the rate as a
// line (%). Pure: rows in, an ECharts option out.
import type { CollectionRow } from './types'
import { fenToYuanNumber, formatYuan, monthLabel, ratePercent } from './money'

export interface MonthTotals {
  period: string
  billed_fen: number
  collected_fen: number
  /** collected ÷ billed in percent, two decimals. */
  rate: number
}

/** One entry per month of `year` (January to December), summed over fee items (or one of them). */
export function collectionByMonth(rows: readonly CollectionRow[], year: number, feeItemId?: number | null): MonthTotals[] {
  const months: MonthTotals[] = Array.from({ length: 12 }, (_, i) => ({
    period: `${year}-${String(i + 1).padStart(2, '0')}`,
    billed_fen: 0,
    collected_fen: 0,
    rate: 0,
  }))
  for (const row of rows) {
    if (feeItemId !== undefined && feeItemId !== null && row.fee_item_id !== feeItemId) continue
    const month = months.find((m) => m.period === row.period)
    if (!month) continue
    month.billed_fen += row.billed_fen
    month.collected_fen += row.collected_fen
  }
  for (const m of months) m.rate = ratePercent(m.collected_fen, m.billed_fen)
  return months
}

/** The year's totals, for the caption above the chart. */
export function collectionTotals(months: readonly MonthTotals[]): MonthTotals {
  const billed = months.reduce((s, m) => s + m.billed_fen, 0)
  const collected = months.reduce((s, m) => s + m.collected_fen, 0)
  return { period: '', billed_fen: billed, collected_fen: collected, rate: ratePercent(collected, billed) }
}

/** The fee items that appear in the rows, for the chart's filter. */
export function collectionFeeItems(rows: readonly CollectionRow[]): { id: number; name: string }[] {
  const seen = new Map<number, string>()
  for (const row of rows) if (!seen.has(row.fee_item_id)) seen.set(row.fee_item_id, row.fee_item_name)
  return [...seen].map(([id, name]) => ({ id, name }))
}

type T = (key: string, named?: Record<string, unknown>) => string

interface TooltipParam {
  seriesIndex?: number
  dataIndex?: number
  marker?: string
  seriesName?: string
}

/** The ECharts option (only the parts this chart uses, so the type stays small). */
export function collectionChartOption(months: readonly MonthTotals[], t: T) {
  const billed = t('billing.collection.billed')
  const collected = t('billing.collection.collected')
  const rate = t('billing.collection.rate')
  const tooltip = (params: TooltipParam | TooltipParam[]) => {
    const list = Array.isArray(params) ? params : [params]
    const index = list[0]?.dataIndex ?? 0
    const month = months[index]
    if (!month) return ''
    const lines = list.map((p) => {
      const value =
        p.seriesIndex === 2 ? `${month.rate.toFixed(2)}%` : `${formatYuan(p.seriesIndex === 0 ? month.billed_fen : month.collected_fen)} ${t('billing.yuan')}`
      return `${p.marker ?? ''}${p.seriesName ?? ''}: ${value}`
    })
    return [monthLabel(month.period, t), ...lines].join('<br/>')
  }
  return {
    color: ['#94a3b8', '#2563eb', '#f59e0b'],
    tooltip: { trigger: 'axis' as const, axisPointer: { type: 'shadow' as const }, formatter: tooltip },
    legend: { data: [billed, collected, rate], top: 0 },
    grid: { left: 16, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: [{ type: 'category' as const, data: months.map((m) => monthLabel(m.period, t)) }],
    yAxis: [
      { type: 'value' as const, name: t('billing.yuan'), axisLabel: { formatter: (v: number) => v.toLocaleString('en-US') } },
      { type: 'value' as const, name: '%', min: 0, max: (value: { max: number }) => Math.max(100, Math.ceil(value.max)), splitLine: { show: false }, axisLabel: { formatter: '{value}%' } },
    ],
    series: [
      { name: billed, type: 'bar' as const, barMaxWidth: 24, data: months.map((m) => fenToYuanNumber(m.billed_fen)) },
      { name: collected, type: 'bar' as const, barMaxWidth: 24, data: months.map((m) => fenToYuanNumber(m.collected_fen)) },
      {
        name: rate,
        type: 'line' as const,
        yAxisIndex: 1,
        smooth: false,
        symbolSize: 6,
        data: months.map((m) => (m.billed_fen > 0 ? m.rate : null)),
      },
    ],
  }
}
