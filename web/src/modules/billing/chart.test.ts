import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '@/locales/zh-CN'
import en from '@/locales/en'
import { collectionByMonth, collectionChartOption, collectionFeeItems, collectionTotals } from './chart'
import type { CollectionRow } from './types'

const zh = (() => {
  const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': zhCN, en } })
  return (key: string, named?: Record<string, unknown>) => i18n.global.t(key, named ?? {})
})()

const rows: CollectionRow[] = [
  { period: '2026-01', fee_item_id: 1, fee_item_name: '物业费', billed_fen: 100000, collected_fen: 80000, rate: '0.8' },
  { period: '2026-01', fee_item_id: 2, fee_item_name: '水费', billed_fen: 50000, collected_fen: 50000, rate: '1' },
  { period: '2026-03', fee_item_id: 1, fee_item_name: '物业费', billed_fen: 100000, collected_fen: 25000, rate: '0.25' },
  { period: '2025-12', fee_item_id: 1, fee_item_name: '物业费', billed_fen: 999, collected_fen: 0, rate: '0' },
]

describe('collection chart', () => {
  it('has twelve months, summed over fee items', () => {
    const months = collectionByMonth(rows, 2026)
    expect(months).toHaveLength(12)
    expect(months[0]).toEqual({ period: '2026-01', billed_fen: 150000, collected_fen: 130000, rate: 86.67 })
    expect(months[1]).toEqual({ period: '2026-02', billed_fen: 0, collected_fen: 0, rate: 0 })
    expect(months[2]!.rate).toBe(25)
    expect(collectionTotals(months)).toMatchObject({ billed_fen: 250000, collected_fen: 155000, rate: 62 })
  })

  it('narrows to one fee item', () => {
    const months = collectionByMonth(rows, 2026, 2)
    expect(months[0]).toMatchObject({ billed_fen: 50000, rate: 100 })
    expect(months[2]!.billed_fen).toBe(0)
    expect(collectionFeeItems(rows)).toEqual([
      { id: 1, name: '物业费' },
      { id: 2, name: '水费' },
    ])
  })

  it('draws bars in yuan and the rate as a line on a percent axis', () => {
    const option = collectionChartOption(collectionByMonth(rows, 2026), zh)
    expect(option.xAxis[0]!.data[0]).toBe('2026年1月')
    expect(option.series.map((s) => s.type)).toEqual(['bar', 'bar', 'line'])
    expect(option.series.map((s) => s.name)).toEqual(['应收', '实收', '收缴率'])
    expect(option.series[0]!.data[0]).toBe(1500)
    expect(option.series[1]!.data[0]).toBe(1300)
    expect(option.series[2]!.data[0]).toBe(86.67)
    // No bills that month: no point on the line rather than a misleading 0%.
    expect(option.series[2]!.data[1]).toBeNull()
    expect(option.series[2]!.yAxisIndex).toBe(1)
    const tooltip = option.tooltip.formatter([
      { seriesIndex: 0, dataIndex: 0, seriesName: '应收', marker: '' },
      { seriesIndex: 2, dataIndex: 0, seriesName: '收缴率', marker: '' },
    ])
    expect(tooltip).toBe('2026年1月<br/>应收: 1,500.00 元<br/>收缴率: 86.67%')
  })
})
