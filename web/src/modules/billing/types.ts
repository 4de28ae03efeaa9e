// The billing API's shapes (收费管理), from the generated schema (`npm run gen:api`): named after the
// operations that answer them, as `src/api/types.ts` does, so they follow whatever the server calls
// its schemas. Money is integer fen (`*_fen`), prices and rates decimal strings, dates `YYYY-MM-DD`.
import type { components } from '@/api/schema'
import type { RequestBody, ResponseData } from '@/api/types'

export type FeeItem = ResponseData<'/api/v1/fee-items', 'get'>[number]
export type NewFeeItem = RequestBody<'/api/v1/fee-items', 'post'>
export type FeeKind = FeeItem['kind']
export type BillingCycle = FeeItem['cycle']
export type AreaBasis = FeeItem['area_basis']
export type LateFeeRule = FeeItem['late_fee']

export type Standard = ResponseData<'/api/v1/fee-items/{id}/standards', 'get'>[number]
export type NewStandard = RequestBody<'/api/v1/fee-items/{id}/standards', 'post'>
export type Tier = Standard['tiers'][number]

export type Assignment = ResponseData<'/api/v1/fee-items/{id}/assignments', 'get'>[number]
export type NewAssignment = RequestBody<'/api/v1/fee-items/{id}/assignments', 'post'>
export type AssignmentTarget = Assignment['target']

export type RunWarningCode = components['schemas']['RunWarningCode']
export type Run = ResponseData<'/api/v1/billing-runs/{id}', 'get'>
/** Why a house got no bill for an item (a run warning, 计费提示). */
export type RunWarning = Run['problems'][number]
export type NewRun = RequestBody<'/api/v1/billing-runs', 'post'>
export type RunState = Run['state']
export type RunItem = Run['items'][number]

/** A page of a list (`{items, total, page, page_size}`). */
export interface Page<T> {
  items: T[]
  total: number
  page: number
  page_size: number
}

export type Bill = ResponseData<'/api/v1/bills', 'get'>['items'][number]
export type BillState = Bill['state']
export type BillDetail = ResponseData<'/api/v1/bills/{id}', 'get'>
export type BillLine = BillDetail['lines'][number]
export type LineKind = BillLine['kind']
export type LedgerEntry = BillDetail['entries'][number]
export type EntryKind = LedgerEntry['kind']
export type LateFee = BillDetail['late_fee']
export type LateFeeSpan = LateFee['days'][number]

export type HouseAccount = ResponseData<'/api/v1/houses/{id}/account', 'get'>
export type Balance = HouseAccount['balances'][number]
export type OpenBill = HouseAccount['open_bills'][number]
export type NewPayment = RequestBody<'/api/v1/houses/{id}/payments', 'post'>
export type Receipt = ResponseData<'/api/v1/houses/{id}/payments', 'post'>
export type Payment = Receipt['payment']
export type PaymentChannel = Payment['channel']
export type Allocation = Receipt['allocations'][number]
export type AllocationPart = Allocation['part']

export type NewAdjustment = RequestBody<'/api/v1/bills/{id}/adjustments', 'post'>
export type Adjustment = ResponseData<'/api/v1/adjustments', 'get'>['items'][number]
export type AdjustmentKind = Adjustment['kind']
export type AdjustmentState = Adjustment['state']

export type ArrearsReport = ResponseData<'/api/v1/reports/arrears', 'get'>
export type ArrearsRow = ArrearsReport['rows'][number]
export type AgeBands = ArrearsReport['total']
export type CollectionRow = ResponseData<'/api/v1/reports/collection', 'get'>[number]
export type IncomeRow = ResponseData<'/api/v1/reports/income', 'get'>[number]

export type AllocationOrder = ResponseData<'/api/v1/billing-settings', 'get'>
export type NewCharge = RequestBody<'/api/v1/houses/{id}/charges', 'post'>
export type NewRefund = RequestBody<'/api/v1/houses/{id}/refunds', 'post'>


// 收银台: the payment log (收费流水), receipts and till sessions (交班).
export type PaymentRow = ResponseData<'/api/v1/payments/{id}', 'get'>
export type NewVoid = RequestBody<'/api/v1/payments/{id}/void', 'post'>
export type TillSession = ResponseData<'/api/v1/till-sessions', 'post'>
export type NewTillSession = RequestBody<'/api/v1/till-sessions', 'post'>
export type TillReport = ResponseData<'/api/v1/till-sessions/{id}', 'get'>
export type TillHandOver = RequestBody<'/api/v1/till-sessions/{id}/close', 'post'>
export type TillOutcome = NonNullable<TillReport['outcome']>
export type ReceiptLayout = 'a5' | 'thermal'
