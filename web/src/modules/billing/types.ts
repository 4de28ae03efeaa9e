// The billing API's shapes (收费管理). Hand-declared from the contract while the server's
// OpenAPI document does not have them yet; to be replaced by `components['schemas'][…]` from the
// generated schema (see README: `npm run gen:api`). Money is integer fen (`*_fen`), prices and
// rates are decimal strings, dates `YYYY-MM-DD`, instants RFC 3339.

export type FeeKind = 'area' | 'fixed' | 'metered' | 'parking' | 'one_off'
export type BillingCycle = 'monthly' | 'quarterly' | 'half_yearly' | 'yearly'
export type AreaBasis = 'gross' | 'inner'
export type BillState = 'open' | 'overdue' | 'paid'
export type RunState = 'preview' | 'running' | 'completed'
export type ProblemCode = 'no_standard' | 'no_inner_area' | 'no_owner' | 'no_reading'
export type AssignmentTarget = 'project' | 'building' | 'house_usage' | 'house'
export type LineKind = 'base' | 'tier' | 'shared' | 'loss' | 'vacancy'
export type EntryKind = 'charge' | 'adjustment' | 'late_fee' | 'waiver' | 'payment' | 'allocation' | 'refund'
export type PaymentChannel = 'cash' | 'card' | 'transfer' | 'wechat' | 'alipay' | 'bank'
export type AllocationPart = 'principal' | 'late_fee'
export type AdjustmentKind = 'adjust' | 'waive_late_fee' | 'waive_principal'
export type AdjustmentState = 'pending' | 'approved' | 'rejected'

export interface LateFeeRule {
  /** Per day, e.g. "0.0005" (万分之五). */
  daily_rate: string
  grace_days: number
  /** Most the fee may reach as a fraction of the bill's amount; null = no cap. */
  cap_rate?: string | null
}

export interface FeeItem {
  id: number
  project_id: number
  code: string
  name: string
  kind: FeeKind
  cycle: BillingCycle
  due_day: number
  area_basis: AreaBasis
  meter_kind?: string | null
  loss_rate: string
  vacancy_rate?: string | null
  late_fee: LateFeeRule
  active: boolean
}

export type NewFeeItem = Omit<FeeItem, 'id' | 'active'>

export interface Tier {
  up_to?: string | null
  price: string
}

export interface Standard {
  id: number
  fee_item_id: number
  house_usage?: string | null
  service_level?: string | null
  effective_from: string
  effective_to?: string | null
  price: string
  tiers: Tier[]
}

export type NewStandard = Omit<Standard, 'id' | 'fee_item_id'>

export interface Assignment {
  id: number
  project_id?: number
  fee_item_id: number
  target: AssignmentTarget
  building_id?: number | null
  house_usage?: string | null
  house_id?: number | null
  service_level?: string | null
  quantity: number
  label?: string | null
  starts_on?: string | null
  ends_on?: string | null
}

export type NewAssignment = Omit<Assignment, 'id' | 'project_id' | 'fee_item_id'>

export interface RunItem {
  fee_item_id: number
  bills: number
  total_fen: number
}

export interface RunProblem {
  house_id: number
  fee_item_id: number
  code: ProblemCode
  day?: string | null
}

export interface Run {
  id: number
  project_id: number
  /** `YYYY-MM`. */
  period: string
  fee_item_ids: number[]
  state: RunState
  bills: number
  total_fen: number
  items: RunItem[]
  problems: RunProblem[]
  created_at: string
  confirmed_at?: string | null
  completed_at?: string | null
}

export interface NewRun {
  project_id: number
  period: string
  fee_item_ids?: number[]
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export interface Bill {
  id: number
  project_id: number
  building_id: number
  house_id: number
  house_label: string
  fee_item_id: number
  fee_item_name: string
  run_id?: number | null
  period_start: string
  period_end: string
  due_on: string
  amount_fen: number
  principal_due_fen: number
  late_fee_due_fen: number
  state: BillState
  settled_on?: string | null
  issued_at: string
}

export interface BillLine {
  kind: LineKind
  from: string
  to: string
  quantity: string
  price: string
  months: string
  rate?: string | null
  amount_fen: number
  formula: string
}

export interface LedgerEntry {
  id: number
  bill_id?: number | null
  fee_item_id?: number | null
  kind: EntryKind
  principal_fen: number
  late_fee_fen: number
  balance_fen: number
  effective_on: string
  channel?: string | null
  created_at?: string
}

export interface LateFeeSpan {
  from: string
  to: string
  days: number
  principal_fen: number
  /** principal × rate × days in yuan, before the one rounding, e.g. "5.000". */
  amount: string
}

export interface LateFee {
  amount_fen: number
  capped: boolean
  daily_rate: string
  starts_on: string
  days: LateFeeSpan[]
}

export interface BillDetail extends Bill {
  lines: BillLine[]
  late_fee_rule: LateFeeRule
  entries: LedgerEntry[]
  late_fee: LateFee
  as_of: string
}

export interface Balance {
  fee_item_id?: number | null
  amount_fen: number
}

export interface OpenBill extends Bill {
  late_fee_accrued_fen: number
}

export interface HouseAccount {
  house_id: number
  house_label: string
  as_of?: string
  balance_fen: number
  balances: Balance[]
  open_bills: OpenBill[]
  total_due_fen: number
}

export interface NewPayment {
  amount_fen: number
  channel: PaymentChannel
  received_on: string
  bill_ids?: number[] | null
  earmark_fee_item_id?: number | null
  payer?: string | null
  note?: string | null
}

export interface Payment {
  id: number
  receipt_no: string
  amount_fen: number
  channel: PaymentChannel
  received_on: string
  payer?: string | null
}

export interface Allocation {
  bill_id: number
  part: AllocationPart
  amount_fen: number
}

export interface Receipt {
  payment: Payment
  allocations: Allocation[]
  late_fees_posted_fen: number
  balance_fen: number
}

export interface NewAdjustment {
  kind: AdjustmentKind
  amount_fen: number
  reason: string
}

export interface Adjustment {
  id: number
  project_id: number
  house_id: number
  bill_id: number
  kind: AdjustmentKind
  amount_fen: number
  reason: string
  state: AdjustmentState
  requested_by: number
  requested_at: string
  decided_by?: number | null
  decided_at?: string | null
}

export interface AgeBands {
  band_1_3_fen: number
  band_4_6_fen: number
  band_7_12_fen: number
  band_over_12_fen: number
  total_fen: number
}

export interface ArrearsRow extends AgeBands {
  building_id: number
  building_name: string
  houses: number
}

export interface ArrearsReport {
  project_id?: number
  as_of: string
  rows: ArrearsRow[]
  houses?: number
  total: AgeBands & { houses?: number }
}

export interface CollectionRow {
  /** `YYYY-MM`. */
  period: string
  fee_item_id: number
  fee_item_name: string
  billed_fen: number
  collected_fen: number
  /** collected ÷ billed, e.g. "0.8734". */
  rate: string
}

export interface CollectionReport {
  rows: CollectionRow[]
}

export interface IncomeRow {
  fee_item_id?: number | null
  fee_item_name: string
  channel: string
  amount_fen: number
}
