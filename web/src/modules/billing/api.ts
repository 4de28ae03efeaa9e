// Calls of the billing API (linli-billing), typed by the generated
// schema. Every page of the module goes through here.
import { api, ok } from '@/api/client'
import { withQuery } from '@/utils/url'
import type { QueryParams } from '@/api/types'
import type {
  Adjustment,
  AllocationOrder,
  AdjustmentState,
  ArrearsReport,
  Assignment,
  Bill,
  BillDetail,
  BillState,
  CollectionRow,
  FeeItem,
  HouseAccount,
  IncomeRow,
  NewAdjustment,
  NewAssignment,
  NewCharge,
  NewFeeItem,
  NewPayment,
  NewRefund,
  NewRun,
  NewStandard,
  Page,
  Receipt,
  NewTillSession,
  NewVoid,
  PaymentRow,
  ReceiptLayout,
  TillHandOver,
  TillReport,
  TillSession,
  Run,
  Standard,
} from './types'

const path = (id: number) => ({ path: { id } })

// 收费项目, 收费标准, 适用范围
export const listFeeItems = (projectId: number): Promise<FeeItem[]> =>
  ok(api.GET('/api/v1/fee-items', { params: { query: { project_id: projectId } } }))
export const createFeeItem = (body: NewFeeItem): Promise<FeeItem> => ok(api.POST('/api/v1/fee-items', { body }))
export const listStandards = (feeItemId: number): Promise<Standard[]> =>
  ok(api.GET('/api/v1/fee-items/{id}/standards', { params: path(feeItemId) }))
export const createStandard = (feeItemId: number, body: NewStandard): Promise<Standard> =>
  ok(api.POST('/api/v1/fee-items/{id}/standards', { params: path(feeItemId), body }))
export const listAssignments = (feeItemId: number): Promise<Assignment[]> =>
  ok(api.GET('/api/v1/fee-items/{id}/assignments', { params: path(feeItemId) }))
export const createAssignment = (feeItemId: number, body: NewAssignment): Promise<Assignment> =>
  ok(api.POST('/api/v1/fee-items/{id}/assignments', { params: path(feeItemId), body }))

// 计费批次
export const createRun = (body: NewRun): Promise<Run> => ok(api.POST('/api/v1/billing-runs', { body }))
export const listRuns = (projectId: number, page: number, pageSize: number): Promise<Page<Run>> =>
  ok(api.GET('/api/v1/billing-runs', { params: { query: { project_id: projectId, page, page_size: pageSize } } }))
export const getRun = (id: number): Promise<Run> => ok(api.GET('/api/v1/billing-runs/{id}', { params: path(id) }))
export const confirmRun = (id: number): Promise<Run> => ok(api.POST('/api/v1/billing-runs/{id}/confirm', { params: path(id) }))

// 账单
/** The document's filters, with the project and the page always given; an empty state or period is no filter. */
export type BillQuery = Omit<QueryParams<'/api/v1/bills', 'get'>, 'state'> & {
  project_id: number
  state?: BillState | ''
  page: number
  page_size: number
}
export const listBills = ({ state, period, ...query }: BillQuery): Promise<Page<Bill>> =>
  ok(api.GET('/api/v1/bills', { params: { query: { ...query, period: period || undefined, state: state || undefined } } }))
export const getBill = (id: number, asOf?: string): Promise<BillDetail> =>
  ok(api.GET('/api/v1/bills/{id}', { params: { path: { id }, query: { as_of: asOf || undefined } } }))

// 收银台
export const getAccount = (houseId: number, asOf?: string): Promise<HouseAccount> =>
  ok(api.GET('/api/v1/houses/{id}/account', { params: { path: { id: houseId }, query: { as_of: asOf || undefined } } }))
/** Takes a payment; the same `idempotencyKey` again answers the same receipt instead of taking the money twice. */
export const collectPayment = (houseId: number, body: NewPayment, idempotencyKey: string): Promise<Receipt> =>
  ok(
    api.POST('/api/v1/houses/{id}/payments', {
      params: { path: { id: houseId }, header: { 'Idempotency-Key': idempotencyKey } },
      body,
    }),
  )

// 调整与减免
export const requestAdjustment = (billId: number, body: NewAdjustment): Promise<Adjustment> =>
  ok(api.POST('/api/v1/bills/{id}/adjustments', { params: path(billId), body }))
export const listAdjustments = async (projectId: number, state?: AdjustmentState | ''): Promise<Adjustment[]> => {
  const answer = await ok(
    api.GET('/api/v1/adjustments', { params: { query: { project_id: projectId, state: state || undefined, page: 1, page_size: 500 } } }),
  )
  return answer.items
}
export const approveAdjustment = (id: number): Promise<Adjustment> => ok(api.POST('/api/v1/adjustments/{id}/approve', { params: path(id) }))
export const rejectAdjustment = (id: number): Promise<Adjustment> => ok(api.POST('/api/v1/adjustments/{id}/reject', { params: path(id) }))

// 报表 (asked without `format`, they answer JSON; the document also lists their XLSX form)
export const arrearsReport = (projectId: number, asOf: string): Promise<ArrearsReport> =>
  ok(api.GET('/api/v1/reports/arrears', { params: { query: { project_id: projectId, as_of: asOf } } })) as Promise<ArrearsReport>
/** The XLSX download of the arrears report (a link the browser follows with the session cookie). */
export const arrearsXlsxUrl = (projectId: number, asOf: string) =>
  withQuery('/api/v1/reports/arrears', { project_id: projectId, as_of: asOf, format: 'xlsx' })
export const collectionReport = (projectId: number, year: number): Promise<CollectionRow[]> =>
  ok(api.GET('/api/v1/reports/collection', { params: { query: { project_id: projectId, year } } })) as Promise<CollectionRow[]>
export const incomeReport = (projectId: number, from: string, to: string): Promise<IncomeRow[]> =>
  ok(api.GET('/api/v1/reports/income', { params: { query: { project_id: projectId, from, to } } })) as Promise<IncomeRow[]>

// 收费设置: how a project's payments are spent
export const getBillingSettings = (projectId: number): Promise<AllocationOrder> =>
  ok(api.GET('/api/v1/billing-settings', { params: { query: { project_id: projectId } } }))
export const putBillingSettings = (projectId: number, body: AllocationOrder): Promise<AllocationOrder> =>
  ok(api.PUT('/api/v1/billing-settings', { params: { query: { project_id: projectId } }, body }))

// 一次性收费 and 退款 at the counter
/** The house's use (住宅, 商铺 …): which standard prices a one-off charge. */
export const houseUsageOf = async (houseId: number): Promise<string> =>
  (await ok(api.GET('/api/v1/houses/{id}', { params: { path: { id: houseId } } }))).usage
/** Charges a one-off fee now; the same `idempotencyKey` again answers the same bill instead of charging twice. */
export const chargeOneOff = (houseId: number, body: NewCharge, idempotencyKey: string): Promise<Bill> =>
  ok(
    api.POST('/api/v1/houses/{id}/charges', {
      params: { path: { id: houseId }, header: { 'Idempotency-Key': idempotencyKey } },
      body,
    }),
  )
/** Returns money from the house's prepaid balance (needs the approver's permission); answers the account after it. */
export const refundFromBalance = (houseId: number, body: NewRefund): Promise<HouseAccount> =>
  ok(api.POST('/api/v1/houses/{id}/refunds', { params: path(houseId), body }))

// Printable pages the browser opens itself (HTML, print to PDF)
/** The house's statement (对账单) with late fees up to `asOf` (today when left out). */
export const statementUrl = (houseId: number, asOf?: string) => withQuery(`/api/v1/houses/${houseId}/statement`, { as_of: asOf })
/** A building's bill notices (缴费通知单) for a month, one page per house. */
export const billNoticesUrl = (buildingId: number, period: string) => withQuery('/api/v1/bill-notices', { building_id: buildingId, period })

// 收费流水, 收据, 交班
export type PaymentQuery = QueryParams<'/api/v1/payments', 'get'> & { project_id: number; page: number; page_size: number }
export const listPayments = (query: PaymentQuery): Promise<Page<PaymentRow>> =>
  ok(api.GET('/api/v1/payments', { params: { query } }))
export const voidPayment = (id: number, body: NewVoid): Promise<PaymentRow> =>
  ok(api.POST('/api/v1/payments/{id}/void', { params: path(id), body }))
/** The receipt's print page; every opening is a printing, the second and later marked 副本. */
export const receiptUrl = (paymentId: number, layout: ReceiptLayout = 'a5') =>
  withQuery(`/api/v1/payments/${paymentId}/receipt`, { layout })
export const openTill = (body: NewTillSession): Promise<TillSession> => ok(api.POST('/api/v1/till-sessions', { body }))
export const listTills = (query: QueryParams<'/api/v1/till-sessions', 'get'>): Promise<Page<TillSession>> =>
  ok(api.GET('/api/v1/till-sessions', { params: { query } }))
export const getTill = (id: number): Promise<TillReport> => ok(api.GET('/api/v1/till-sessions/{id}', { params: path(id) }))
export const closeTill = (id: number, body: TillHandOver): Promise<TillReport> =>
  ok(api.POST('/api/v1/till-sessions/{id}/close', { params: path(id), body }))
/** The shift report's print page. */
export const tillReportUrl = (id: number) => `/api/v1/till-sessions/${id}/report`
