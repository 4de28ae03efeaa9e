import { describe, expect, it } from 'vitest'
import { fenToYuanText, formatArea, isPlainNumber, parseArea, parseShare, parseYuan, readDecimal } from './decimal'

describe('readDecimal', () => {
  it.each([
    ['12.50', { sign: '', whole: '12', point: true, fraction: '50' }],
    ['  -007 ', { sign: '-', whole: '007', point: false, fraction: '' }],
    ['+.5', { sign: '+', whole: '', point: true, fraction: '5' }],
    ['5.', { sign: '', whole: '5', point: true, fraction: '' }],
    ['', { sign: '', whole: '', point: false, fraction: '' }],
    ['.', { sign: '', whole: '', point: true, fraction: '' }],
  ])('%j reads as written', (input, parts) => {
    expect(readDecimal(input)).toEqual(parts)
  })

  it.each(['1,000', '1.2.3', '1e3', '- 1', '12a', '١٢'])('%j is not decimal text', (input) => {
    expect(readDecimal(input)).toBeNull()
  })

  it('skips thousands separators only when asked', () => {
    expect(readDecimal('52,000.5', true)).toEqual({ sign: '', whole: '52000', point: true, fraction: '5' })
    expect(readDecimal(88.5)).toEqual({ sign: '', whole: '88', point: true, fraction: '5' })
  })

  it.each([
    ['12', true],
    ['12.5', true],
    ['12.', false],
    ['.5', false],
    ['', false],
  ])('%j is a plain number: %s', (input, plain) => {
    expect(isPlainNumber(readDecimal(input)!)).toBe(plain)
  })
})

describe('parseArea', () => {
  it.each([
    ['88.5', '88.50'],
    ['88.50', '88.50'],
    [' 120 ', '120.00'],
    ['0.01', '0.01'],
    ['007.1', '7.10'],
    ['52,000.5', '52000.50'],
    ['1.230', '1.23'],
    [89.47, '89.47'],
  ])('%s is %s', (input, value) => {
    expect(parseArea(input)).toEqual({ ok: true, value })
  })

  it.each([
    ['', 'required'],
    [null, 'required'],
    ['  ', 'required'],
    ['abc', 'invalid_format'],
    ['1.2.3', 'invalid_format'],
    ['.', 'invalid_format'],
    ['0', 'must_be_positive'],
    ['0.00', 'must_be_positive'],
    ['-5', 'must_be_positive'],
    ['1.234', 'too_many_decimals'],
  ])('%s is refused with %s (the server says the same)', (input, code) => {
    expect(parseArea(input)).toEqual({ ok: false, code })
  })
})

describe('formatArea', () => {
  it('groups thousands and keeps two decimals', () => {
    expect(formatArea('52000.50')).toBe('52,000.50 m²')
    expect(formatArea('89.47')).toBe('89.47 m²')
    expect(formatArea('1234567.5', false)).toBe('1,234,567.50')
    expect(formatArea(88)).toBe('88.00 m²')
  })

  it('is empty for nothing and leaves garbage as it is', () => {
    expect(formatArea(null)).toBe('')
    expect(formatArea(undefined)).toBe('')
    expect(formatArea('')).toBe('')
    expect(formatArea('n/a')).toBe('n/a')
  })
})

describe('parseYuan / fenToYuanText', () => {
  it('turns yuan into integer fen without floating point', () => {
    expect(parseYuan('1234.5')).toEqual({ ok: true, value: 123450 })
    expect(parseYuan('0.1')).toEqual({ ok: true, value: 10 })
    expect(parseYuan('0.07')).toEqual({ ok: true, value: 7 })
    expect(parseYuan('19.99')).toEqual({ ok: true, value: 1999 })
    expect(parseYuan('1,000')).toEqual({ ok: true, value: 100000 })
    expect(parseYuan('0')).toEqual({ ok: true, value: 0 })
  })

  it('refuses what is not an amount', () => {
    expect(parseYuan('')).toEqual({ ok: false, code: 'required' })
    expect(parseYuan('1.001')).toEqual({ ok: false, code: 'too_many_decimals' })
    expect(parseYuan('-1')).toEqual({ ok: false, code: 'out_of_range' })
    expect(parseYuan('¥5')).toEqual({ ok: false, code: 'invalid_format' })
    expect(parseYuan('99999999999999999')).toEqual({ ok: false, code: 'out_of_range' })
  })

  it('writes fen back as yuan for a form', () => {
    expect(fenToYuanText(123450)).toBe('1234.50')
    expect(fenToYuanText(7)).toBe('0.07')
    expect(fenToYuanText(0)).toBe('0.00')
    expect(fenToYuanText(null)).toBe('')
  })
})

describe('parseShare', () => {
  it('takes a percent between 0 and 100', () => {
    expect(parseShare('50')).toEqual({ ok: true, value: '50.00' })
    expect(parseShare('33.33')).toEqual({ ok: true, value: '33.33' })
    expect(parseShare('100')).toEqual({ ok: true, value: '100.00' })
    expect(parseShare('0')).toEqual({ ok: false, code: 'out_of_range' })
    expect(parseShare('100.01')).toEqual({ ok: false, code: 'out_of_range' })
    expect(parseShare('150')).toEqual({ ok: false, code: 'out_of_range' })
    expect(parseShare('1000')).toEqual({ ok: false, code: 'out_of_range' })
    expect(parseShare('12.345')).toEqual({ ok: false, code: 'too_many_decimals' })
  })
})
