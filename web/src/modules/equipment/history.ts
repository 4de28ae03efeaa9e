// What an audit entry of an equipment changed, field by field.

export interface FieldChange {
  field: string
  before: unknown
  after: unknown
}

const IGNORED = new Set(['id', 'project_id', 'created_at', 'updated_at', 'category_name', 'building_name'])

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The fields whose value differs between `before` and `after` (bookkeeping fields left out). */
export function changedFields(before: unknown, after: unknown): FieldChange[] {
  const b = isObject(before) ? before : {}
  const a = isObject(after) ? after : {}
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => !IGNORED.has(k))
  return keys
    .filter((k) => JSON.stringify(b[k] ?? null) !== JSON.stringify(a[k] ?? null))
    .map((field) => ({ field, before: b[field] ?? null, after: a[field] ?? null }))
}

/** The verb of an action code: "equipment.item.maintained" → "maintained". */
export function actionVerb(action: string): string {
  return action.slice(action.lastIndexOf('.') + 1)
}

/** The i18n key of a field's label in the equipment form, when there is one. */
export const FIELD_LABELS: Record<string, string> = {
  code: 'equipment.code',
  name: 'equipment.name',
  category_id: 'equipment.category',
  brand: 'equipment.brand',
  model: 'equipment.model',
  serial_number: 'equipment.serialNumber',
  supplier: 'equipment.supplier',
  purchased_on: 'equipment.purchasedOn',
  purchase_price_fen: 'equipment.purchasePrice',
  building_id: 'equipment.building',
  location: 'equipment.location',
  warranty_until: 'equipment.warrantyUntil',
  cycle_unit: 'equipment.cycle',
  cycle_every: 'equipment.cycle',
  last_maintained_on: 'equipment.lastMaintainedOn',
  next_maintenance_on: 'equipment.nextMaintenanceOn',
  state: 'equipment.state',
  file_name: 'equipment.attachments',
}
