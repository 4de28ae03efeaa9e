import { describe, expect, it } from 'vitest'
import { formatDate, formatDateTime, formatJson, formatMoney, groupThousands } from './format'

describe('groupThousands', () => {
  it.each([
    ['0', '0'],
    ['999', '999'],
    ['1000', '1,000'],
    ['1234567', '1,234,567'],
    ['90071992547409', '90,071,992,547,409'],
  ])('%s is %s', (digits, text) => {
    expect(groupThousands(digits)).toBe(text)
  })
})

describe('formatMoney', () => {
  it.each([
    [0, '¥0.00'],
    [1, '¥0.01'],
    [10, '¥0.10'],
    [100, '¥1.00'],
    [123456, '¥1,234.56'],
    [21025, '¥210.25'],
    [100000000, '¥1,000,000.00'],
    [-5, '-¥0.05'],
    [-123456, '-¥1,234.56'],
  ])('%d fen is %s', (fen, text) => {
    expect(formatMoney(fen)).toBe(text)
  })

  it('keeps every fen of the largest safe integer', () => {
    expect(formatMoney(Number.MAX_SAFE_INTEGER)).toBe('¥90,071,992,547,409.91')
    expect(formatMoney(-Number.MAX_SAFE_INTEGER)).toBe('-¥90,071,992,547,409.91')
  })

  it('takes bigint amounts beyond the safe integer range', () => {
    expect(formatMoney(9_223_372_036_854_775_807n)).toBe('¥92,233,720,368,547,758.07')
    expect(formatMoney(-1n)).toBe('-¥0.01')
  })

  it('refuses fractional or unsafe numbers instead of printing a wrong amount', () => {
    expect(() => formatMoney(1.5)).toThrow(RangeError)
    expect(() => formatMoney(Number.NaN)).toThrow(RangeError)
    expect(() => formatMoney(2 ** 60)).toThrow(RangeError)
  })
})

describe('formatDate', () => {
  it('shows a business date as it is', () => {
    expect(formatDate('2026-11-26')).toBe('2026-11-26')
  })

  it('shows an instant as its date in Asia/Shanghai', () => {
    // 16:30 UTC is already the next day in Shanghai (UTC+8).
    expect(formatDate('2026-11-26T16:30:00Z')).toBe('2026-11-27')
    expect(formatDate('2026-11-26T10:30:00+08:00')).toBe('2026-11-26')
    expect(formatDate(new Date(Date.UTC(2026, 0, 1, 0, 0)))).toBe('2026-01-01')
  })

  it('is empty for missing or invalid input', () => {
    expect(formatDate(null)).toBe('')
    expect(formatDate(undefined)).toBe('')
    expect(formatDate('')).toBe('')
    expect(formatDate('not a date')).toBe('')
  })
})

describe('formatDateTime', () => {
  it('shows minutes in Asia/Shanghai', () => {
    expect(formatDateTime('2026-11-26T10:30:00Z')).toBe('2026-11-26 18:30')
    expect(formatDateTime('2026-11-26T18:30:59+08:00')).toBe('2026-11-26 18:30')
  })

  it('writes midnight as 00, not 24', () => {
    expect(formatDateTime('2026-11-26T16:00:00Z')).toBe('2026-11-27 00:00')
  })

  it('accepts epoch milliseconds and Date', () => {
    const at = Date.UTC(2026, 10, 26, 10, 30)
    expect(formatDateTime(at)).toBe('2026-11-26 18:30')
    expect(formatDateTime(new Date(at))).toBe('2026-11-26 18:30')
  })

  it('is empty for missing or invalid input', () => {
    expect(formatDateTime(null)).toBe('')
    expect(formatDateTime('yesterday')).toBe('')
  })
})

describe('formatJson', () => {
  it('pretty-prints and leaves nothing for null', () => {
    expect(formatJson({ a: 1 })).toBe('{\n  "a": 1\n}')
    expect(formatJson(null)).toBe('')
  })
})
