import { describe, expect, it } from 'vitest'
import { fromThousandths, periodOf, preview, progress, shiftPeriod, toThousandths } from './meterReadings'

describe('periods', () => {
  it('are the month of a date and shift across years', () => {
    expect(periodOf(new Date(2026, 0, 31))).toBe('2026-01')
    expect(shiftPeriod('2026-01', -1)).toBe('2025-12')
    expect(shiftPeriod('2025-12', 1)).toBe('2026-01')
    expect(shiftPeriod('2026-03', 12)).toBe('2027-03')
  })
})

describe('registers', () => {
  it('are exact thousandths, refusing a fourth decimal or a sign', () => {
    expect(toThousandths('1250.25')).toBe(1250250n)
    expect(toThousandths(' 7 ')).toBe(7000n)
    expect(toThousandths('0.001')).toBe(1n)
    expect(toThousandths('1.2345')).toBeNull()
    expect(toThousandths('-1')).toBeNull()
    expect(toThousandths('')).toBeNull()
    expect(fromThousandths(12500n)).toBe('12.5')
    expect(fromThousandths(132000n)).toBe('132')
    expect(fromThousandths(-10n)).toBe('-0.01')
  })
})

describe('preview', () => {
  it('is the difference times the multiplier', () => {
    expect(preview('1234.5', '1250.25', '1')).toEqual({ consumption: '15.75', lower: false })
    // 0.1 + 0.2 would not be 0.3 in floats; thousandths are exact.
    expect(preview('0.1', '0.4', '1')).toEqual({ consumption: '0.3', lower: false })
    expect(preview('812.3', '815.6', '40')).toEqual({ consumption: '132', lower: false })
    expect(preview('1', '1.001', '1.5')).toEqual({ consumption: '0.002', lower: false })
  })

  it('shows a lower value as the meter restarted at zero', () => {
    expect(preview('9987', '12', '1')).toEqual({ consumption: '12', lower: true })
  })

  it('is nothing until the value is a number', () => {
    expect(preview('100', 'abc', '1')).toBeNull()
  })
})

describe('progress', () => {
  it('counts readings that stand, not rejected ones', () => {
    const rows = [{ reading: { state: 'accepted' } }, { reading: { state: 'rejected' } }, { reading: null }, {}]
    expect(progress(rows)).toEqual({ read: 1, total: 4 })
  })
})
