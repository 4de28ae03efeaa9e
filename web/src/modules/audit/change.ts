// An audit row's before/after as labelled fields a manager can read: field names translated,
// money in 元 with two decimals, dates as 2026-12-01, yes/no, nested objects one level deep.
import { formatYuan, formatYuanDecimal } from '@/modules/billing/money'
import { formatDateTime } from '@/utils/format'

export interface Translate {
  t: (key: string) => string
  te: (key: string) => boolean
}

export interface ChangeRow {
  key: string
  label: string
  before: string
  after: string
  changed: boolean
}

/** Bookkeeping fields every row has; they say nothing about the change. */
const HIDDEN = new Set(['id', 'company_id', 'created_at', 'updated_at', 'password_hash', 'token_hash', 'csrf_token'])
/** Amounts sent as decimal strings of yuan ("210.25"). */
const YUAN_TEXT = new Set(['amount', 'principal', 'late_fee', 'price', 'balance', 'total'])
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/
/** Enumerated values, translated where the console already names them. */
const ENUMS: Record<string, string[]> = {
  state: ['houses.states', 'equipment.states', 'meters.states', 'billing.adjustments.states'],
  usage: ['houses.usages'],
  relation: ['tenure.relations'],
  gender: ['people.genders'],
  id_type: ['people.idTypes'],
  kind: ['buildings.kinds', 'meters.kinds', 'billing.feeItems.kinds', 'billing.adjustments.kinds', 'people.kinds'],
  role: ['roles.builtin'],
  role_code: ['roles.builtin'],
}

export function fieldLabel(key: string, tr: Translate): string {
  const [head, tail] = key.split('.', 2) as [string, string | undefined]
  const one = (k: string) => (tr.te(`audit.fields.${k}`) ? tr.t(`audit.fields.${k}`) : k)
  return tail === undefined ? one(head) : `${one(head)} · ${one(tail)}`
}

export function formatValue(key: string, value: unknown, tr: Translate): string {
  if (value === null || value === undefined || value === '') return '—'
  const field = key.includes('.') ? key.slice(key.lastIndexOf('.') + 1) : key
  if (typeof value === 'boolean') return tr.t(value ? 'audit.yes' : 'audit.no')
  if (typeof value === 'number') {
    if (field.endsWith('_fen') && Number.isSafeInteger(value)) return `${formatYuan(value)} 元`
    if (field.endsWith('_bp')) return `${(value / 100).toFixed(2)}%`
    return String(value)
  }
  if (typeof value === 'string') {
    if (YUAN_TEXT.has(field) && /^-?\d+(\.\d+)?$/.test(value)) return `${formatYuanDecimal(value)} 元`
    if (DATE_ONLY.test(value)) return value
    if (INSTANT.test(value)) return formatDateTime(value) || value
    for (const prefix of ENUMS[field] ?? []) {
      if (tr.te(`${prefix}.${value}`)) return tr.t(`${prefix}.${value}`)
    }
    return value
  }
  if (Array.isArray(value)) {
    if (value.every((v) => v === null || typeof v !== 'object')) return value.map((v) => formatValue(field, v, tr)).join('、') || '—'
    return value.map((v) => JSON.stringify(v)).join('；')
  }
  return JSON.stringify(value)
}

/** Top-level fields, and one level of nested objects as "grant · role". */
function flatten(value: unknown): Map<string, unknown> {
  const out = new Map<string, unknown>()
  if (value === null || value === undefined) return out
  if (typeof value !== 'object' || Array.isArray(value)) {
    out.set('value', value)
    return out
  }
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>)) {
        if (!HIDDEN.has(k2)) out.set(`${k}.${k2}`, v2)
      }
    } else if (!HIDDEN.has(k)) {
      out.set(k, v)
    }
  }
  return out
}

/** The fields of either side, in the order they first appear, changed ones marked. */
export function changeRows(before: unknown, after: unknown, tr: Translate): ChangeRow[] {
  const b = flatten(before)
  const a = flatten(after)
  const keys = [...new Set([...b.keys(), ...a.keys()])]
  const both = before !== null && before !== undefined && after !== null && after !== undefined
  return keys.map((key) => {
    const was = formatValue(key, b.get(key), tr)
    const now = formatValue(key, a.get(key), tr)
    return { key, label: fieldLabel(key, tr), before: was, after: now, changed: both && was !== now }
  })
}
