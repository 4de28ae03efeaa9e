// The meter register's pure logic: where a meter belongs, the meter form ↔ API body (quantities
// as decimal strings with at most three decimals, never floats), what a replacement counts, and
// exact sums of usage. The server decides; these only prepare and explain.

import type { RequestBody } from '@/api/types'
import { isPlainNumber, readDecimal } from '@/utils/decimal'
import { fromThousandths } from './meterReadings'

export type Scope = 'house' | 'shared'

/** Signed decimal text → thousandths, or null when it is not a number with at most three decimals. */
export function signedThousandths(text: string | null | undefined): bigint | null {
  const d = readDecimal(text ?? '')
  if (!d || d.sign === '+' || !isPlainNumber(d) || d.fraction.length > 3) return null
  const abs = BigInt(d.whole) * 1000n + BigInt(d.fraction.padEnd(3, '0'))
  return d.sign === '-' ? -abs : abs
}

/** Sums decimal texts exactly (a value that is not a number counts as 0). */
export function sumDecimals(values: readonly (string | null | undefined)[]): string {
  return fromThousandths(values.reduce((sum, v) => sum + (signedThousandths(v) ?? 0n), 0n))
}

/** A quantity typed into the form, as the API's field codes judge it (`fieldErrors.<code>`). */
export type QuantityProblem = 'required' | 'invalid_format' | 'must_be_positive' | 'must_not_be_negative' | 'too_precise' | 'out_of_range'

const MAX_QUANTITY = 1_000_000_000n * 1000n

/** "1.50" → "1.5"; refuses what the server would refuse. */
export function parseQuantity(input: string, positive: boolean): { ok: true; value: string } | { ok: false; code: QuantityProblem } {
  if (input.trim() === '') return { ok: false, code: 'required' }
  const d = readDecimal(input)
  if (!d || d.sign === '+' || !isPlainNumber(d)) return { ok: false, code: 'invalid_format' }
  const fraction = d.fraction.replace(/0+$/, '')
  if (d.sign === '-' && !/^0+$/.test(d.whole + fraction)) return { ok: false, code: 'must_not_be_negative' }
  if (fraction.length > 3) return { ok: false, code: 'too_precise' }
  const v = signedThousandths(`${d.whole}${fraction ? `.${fraction}` : ''}`) ?? 0n
  if (positive && v <= 0n) return { ok: false, code: 'must_be_positive' }
  if (v >= MAX_QUANTITY) return { ok: false, code: 'out_of_range' }
  return { ok: true, value: fromThousandths(v) }
}

export interface MeterForm {
  scope: Scope
  house_id?: number
  /** A shared meter's building; none = the whole project. */
  building_id?: number
  kind: 'water' | 'electricity' | 'gas'
  number: string
  multiplier: string
  initial_value: string
  max_consumption: string
  apportion: 'area' | 'equal'
  location: string
  active: boolean
}

export const emptyMeterForm = (): MeterForm => ({
  scope: 'house',
  house_id: undefined,
  building_id: undefined,
  kind: 'water',
  number: '',
  multiplier: '1',
  initial_value: '0',
  max_consumption: '',
  apportion: 'area',
  location: '',
  active: true,
})

/** The fields of a meter the form edits. */
export interface MeterLike {
  house_id?: number | null
  building_id?: number | null
  kind: MeterForm['kind']
  number: string
  multiplier: string
  initial_value: string
  max_consumption?: string | null
  apportion?: MeterForm['apportion'] | null
  location?: string | null
  active: boolean
}

export function formOf(m: MeterLike): MeterForm {
  return {
    scope: m.house_id ? 'house' : 'shared',
    house_id: m.house_id ?? undefined,
    building_id: m.building_id ?? undefined,
    kind: m.kind,
    number: m.number,
    multiplier: m.multiplier,
    initial_value: m.initial_value,
    max_consumption: m.max_consumption ?? '',
    apportion: m.apportion ?? 'area',
    location: m.location ?? '',
    active: m.active,
  }
}

export type FieldProblems = Partial<Record<keyof MeterForm, QuantityProblem>>

/** The quantities of the form, checked; `problems` names each refused field. */
function quantities(form: MeterForm) {
  const problems: FieldProblems = {}
  const multiplier = parseQuantity(form.multiplier, true)
  if (!multiplier.ok) problems.multiplier = multiplier.code
  const initial = parseQuantity(form.initial_value || '0', false)
  if (!initial.ok) problems.initial_value = initial.code
  const max = form.max_consumption.trim() ? parseQuantity(form.max_consumption, true) : null
  if (max && !max.ok) problems.max_consumption = max.code
  if (form.number.trim() === '') problems.number = 'required'
  if (form.scope === 'house' && form.house_id === undefined) problems.house_id = 'required'
  return {
    problems,
    multiplier: multiplier.ok ? multiplier.value : '',
    initial: initial.ok ? initial.value : '',
    max: max && max.ok ? max.value : null,
  }
}

/** The create body (`POST /meters`). */
export type NewMeterBody = RequestBody<'/api/v1/meters', 'post'>

/** The create body, or the problems of the form. */
export function newMeterBody(projectId: number, form: MeterForm): { ok: true; body: NewMeterBody } | { ok: false; problems: FieldProblems } {
  const q = quantities(form)
  if (Object.keys(q.problems).length > 0) return { ok: false, problems: q.problems }
  const house = form.scope === 'house'
  return {
    ok: true,
    body: {
      project_id: projectId,
      house_id: house ? form.house_id : null,
      building_id: house ? null : (form.building_id ?? null),
      kind: form.kind,
      number: form.number.trim(),
      multiplier: q.multiplier,
      initial_value: q.initial,
      max_consumption: q.max,
      apportion: house ? null : form.apportion,
      location: form.location.trim() || null,
      active: form.active,
    },
  }
}

/** The patch body (`PATCH /meters/{id}`). */
export type MeterPatchBody = RequestBody<'/api/v1/meters/{id}', 'patch'>

const sameQuantity = (a: string | null | undefined, b: string | null | undefined) =>
  (a ? signedThousandths(a) : null) === (b ? signedThousandths(b) : null)

/**
 * The changed fields only (`null` clears an optional one). House, kind and the initial register
 * are what the meter is: the API does not change them.
 */
export function meterPatch(before: MeterLike, form: MeterForm): { ok: true; body: MeterPatchBody } | { ok: false; problems: FieldProblems } {
  const q = quantities({ ...form, scope: before.house_id ? 'house' : 'shared', house_id: before.house_id ?? undefined })
  delete q.problems.initial_value
  if (Object.keys(q.problems).length > 0) return { ok: false, problems: q.problems }
  const body: MeterPatchBody = {}
  const number = form.number.trim()
  if (number !== before.number) body.number = number
  if (!sameQuantity(q.multiplier, before.multiplier)) body.multiplier = q.multiplier
  if (!sameQuantity(q.max, before.max_consumption)) body.max_consumption = q.max
  const location = form.location.trim() || null
  if (location !== (before.location ?? null)) body.location = location
  if (form.active !== before.active) body.active = form.active
  if (!before.house_id) {
    if (form.apportion !== (before.apportion ?? 'area')) body.apportion = form.apportion
    const building = form.building_id ?? null
    if (building !== (before.building_id ?? null)) body.building_id = building
  }
  return { ok: true, body }
}

/**
 * What a reading counts once the meter was replaced in its period: the old meter's tail plus the
 * new meter's head, times the multiplier, rounded to 0.001 half away from zero. Null when a value
 * is not a number.
 */
export function replacementConsumption(previous: string, value: string, oldFinal: string, newInitial: string, multiplier: string): string | null {
  const [p, v, o, n, m] = [previous, value, oldFinal, newInitial, multiplier].map(signedThousandths)
  if (p == null || v == null || o == null || n == null || m == null) return null
  const raw = (o - p + (v - n)) * m // millionths
  const abs = raw < 0n ? -raw : raw
  const rounded = (abs + 500n) / 1000n
  return fromThousandths(raw < 0n ? -rounded : rounded)
}

/** Why a replacement would be refused before asking the server (`fieldErrors.<code>`), per field. */
export function replacementProblems(previous: string, value: string, oldFinal: string, newInitial: string): { old_final?: string; new_initial?: string } {
  const out: { old_final?: string; new_initial?: string } = {}
  const o = parseQuantity(oldFinal, false)
  const n = parseQuantity(newInitial, false)
  if (!o.ok) out.old_final = o.code
  else if ((signedThousandths(o.value) ?? 0n) < (signedThousandths(previous) ?? 0n)) out.old_final = 'lower_than_previous'
  if (!n.ok) out.new_initial = n.code
  else if ((signedThousandths(value) ?? 0n) < (signedThousandths(n.value) ?? 0n)) out.new_initial = 'lower_than_new_initial'
  return out
}

export interface UsageLike {
  house_id: number
  house_label?: string | null
  consumption: string
  shared: string
}

export interface UsageTotals {
  consumption: string
  shared: string
  total: string
}

/** A house's own consumption plus its share of the shared meters. */
export const usageTotal = (row: UsageLike): string => sumDecimals([row.consumption, row.shared])

/** Exact totals of a period's usage rows. */
export function usageTotals(rows: readonly UsageLike[]): UsageTotals {
  const consumption = sumDecimals(rows.map((r) => r.consumption))
  const shared = sumDecimals(rows.map((r) => r.shared))
  return { consumption, shared, total: sumDecimals([consumption, shared]) }
}

/** Rows whose label contains the text (spaces ignored), in label order as the API gives them. */
export function filterUsage<T extends UsageLike>(rows: readonly T[], text: string): T[] {
  const needle = text.replace(/\s+/g, '')
  if (!needle) return [...rows]
  return rows.filter((r) => (r.house_label ?? '').replace(/\s+/g, '').includes(needle))
}
