import { describe, expect, it } from 'vitest'
import {
  emptyMeterForm,
  filterUsage,
  formOf,
  meterPatch,
  newMeterBody,
  parseQuantity,
  replacementConsumption,
  replacementProblems,
  sumDecimals,
  usageTotal,
  usageTotals,
} from './meterRegister'

const houseMeter = {
  house_id: 11,
  building_id: 2,
  kind: 'water' as const,
  number: 'SB-1-1-101',
  multiplier: '1',
  initial_value: '120',
  max_consumption: '60',
  apportion: null,
  location: '1栋1单元水表井',
  active: true,
}

describe('quantities', () => {
  it('are decimal text with at most three decimals, as the server wants them', () => {
    expect(parseQuantity('1.50', true)).toEqual({ ok: true, value: '1.5' })
    expect(parseQuantity(' 40 ', true)).toEqual({ ok: true, value: '40' })
    expect(parseQuantity('0', false)).toEqual({ ok: true, value: '0' })
    expect(parseQuantity('0', true)).toEqual({ ok: false, code: 'must_be_positive' })
    expect(parseQuantity('-1', false)).toEqual({ ok: false, code: 'must_not_be_negative' })
    expect(parseQuantity('1.2345', true)).toEqual({ ok: false, code: 'too_precise' })
    expect(parseQuantity('1.2340', true)).toEqual({ ok: true, value: '1.234' })
    expect(parseQuantity('1e3', true)).toEqual({ ok: false, code: 'invalid_format' })
    expect(parseQuantity('', true)).toEqual({ ok: false, code: 'required' })
    expect(parseQuantity('1000000000', true)).toEqual({ ok: false, code: 'out_of_range' })
  })

  it('sum exactly, without floating point', () => {
    expect(sumDecimals(['0.1', '0.2'])).toBe('0.3')
    expect(sumDecimals(['12.345', '7.655', '-1'])).toBe('19')
    expect(sumDecimals([])).toBe('0')
  })
})

describe('the meter form', () => {
  it('creates a house meter without a building or apportioning, and a shared meter with them', () => {
    const house = { ...emptyMeterForm(), house_id: 11, number: ' SB-9 ', multiplier: '1.0', max_consumption: '' }
    expect(newMeterBody(1, house)).toEqual({
      ok: true,
      body: {
        project_id: 1,
        house_id: 11,
        building_id: null,
        kind: 'water',
        number: 'SB-9',
        multiplier: '1',
        initial_value: '0',
        max_consumption: null,
        apportion: null,
        location: null,
        active: true,
      },
    })
    const shared = { ...emptyMeterForm(), scope: 'shared' as const, building_id: 2, kind: 'electricity' as const, number: 'GX-1', apportion: 'equal' as const, multiplier: '40' }
    const body = newMeterBody(1, shared)
    expect(body.ok && body.body).toMatchObject({ house_id: null, building_id: 2, apportion: 'equal', multiplier: '40' })
  })

  it('names every refused field', () => {
    const bad = { ...emptyMeterForm(), number: ' ', multiplier: '0', initial_value: '-3', max_consumption: '1.0001' }
    expect(newMeterBody(1, bad)).toEqual({
      ok: false,
      problems: { number: 'required', house_id: 'required', multiplier: 'must_be_positive', initial_value: 'must_not_be_negative', max_consumption: 'too_precise' },
    })
  })

  it('patches only what changed, and clears an optional field with null', () => {
    const form = formOf(houseMeter)
    expect(meterPatch(houseMeter, form)).toEqual({ ok: true, body: {} })
    expect(meterPatch(houseMeter, { ...form, multiplier: '1.000', max_consumption: '', location: '  ', active: false })).toEqual({
      ok: true,
      body: { max_consumption: null, location: null, active: false },
    })
    // A house meter's building and apportioning are the house's: never sent.
    expect(meterPatch(houseMeter, { ...form, building_id: 99, apportion: 'equal' })).toEqual({ ok: true, body: {} })
    const shared = { ...houseMeter, house_id: null, building_id: 2, apportion: 'area' as const }
    expect(meterPatch(shared, { ...formOf(shared), building_id: undefined, apportion: 'equal' })).toEqual({
      ok: true,
      body: { building_id: null, apportion: 'equal' },
    })
  })
})

describe('a replacement', () => {
  it("counts the old meter's tail and the new meter's head, times the multiplier", () => {
    // Old meter 980 → 1003.5 (23.5), new meter 2 → 9.25 (7.25): 30.75.
    expect(replacementConsumption('980', '9.25', '1003.5', '2', '1')).toBe('30.75')
    expect(replacementConsumption('980', '9.25', '1003.5', '2', '2')).toBe('61.5')
    expect(replacementConsumption('980', 'x', '1003.5', '2', '1')).toBeNull()
  })

  it('is refused when the old meter stops below the previous reading or the new one starts above the value', () => {
    expect(replacementProblems('980', '9.25', '1003.5', '2')).toEqual({})
    expect(replacementProblems('980', '9.25', '979', '10')).toEqual({ old_final: 'lower_than_previous', new_initial: 'lower_than_new_initial' })
    expect(replacementProblems('980', '9.25', '', '1.23456')).toEqual({ old_final: 'required', new_initial: 'too_precise' })
  })
})

describe('usage', () => {
  const rows = [
    { house_id: 1, house_label: '1栋1单元101', consumption: '12.5', shared: '3.21' },
    { house_id: 2, house_label: '1栋1单元102', consumption: '0', shared: '3.2' },
    { house_id: 3, house_label: '2栋1单元702', consumption: '7.125', shared: '0' },
  ]

  it("adds a house's share of the shared meters to its own consumption", () => {
    expect(usageTotal(rows[0]!)).toBe('15.71')
    expect(usageTotals(rows)).toEqual({ consumption: '19.625', shared: '6.41', total: '26.035' })
  })

  it('filters by the label as the page shows it', () => {
    expect(filterUsage(rows, '1栋 1单元').map((r) => r.house_id)).toEqual([1, 2])
    expect(filterUsage(rows, '702').map((r) => r.house_id)).toEqual([3])
    expect(filterUsage(rows, '')).toHaveLength(3)
  })
})
