// Calls of the billing API, typed by the generated schema. Every page of the module goes through here.
import { api, ok } from '@/api/client'
import { withQuery } from '@/utils/url'
import type {
  Adjustment,
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
  NewFeeItem,
  NewPayment,
  NewRun,
  NewStandard,
  Page,
  Receipt,
  Run,
  Standard,
} from './types'

const path = (id: number) => ({ path: { id } })
/** The document's `Run.problems` points at the wrong schema (see types.ts): the JSON is a Run. */
const asRun = (run: unknown) => run as Run

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
export const createRun = async (body: NewRun): Promise<Run> => asRun(await ok(api.POST('/api/v1/billing-runs', { body })))
export const listRuns = async (projectId: number, page: number, pageSize: number): Promise<Page<Run>> => {
  const answer = await ok(api.GET('/api/v1/billing-runs', { params: { query: { project_id: projectId, page, page_size: pageSize } } }))
  return { ...answer, items: answer.items.map(asRun) }
}
export const getRun = async (id: number): Promise<Run> => asRun(await ok(api.GET('/api/v1/billing-runs/{id}', { params: path(id) })))
export const confirmRun = async (id: number): Promise<Run> => asRun(await ok(api.POST('/api/v1/billing-runs/{id}/confirm', { params: path(id) })))

// 账单
export interface BillQuery {
  project_id: number
  building_id?: number
  house_id?: number
  fee_item_id?: number
  period?: string
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

// 报表
export const arrearsReport = (projectId: number, asOf: string): Promise<ArrearsReport> =>
  ok(api.GET('/api/v1/reports/arrears', { params: { query: { project_id: projectId, as_of: asOf } } }))
/** The XLSX download of the arrears report (a link the browser follows with the session cookie). */
export const arrearsXlsxUrl = (projectId: number, asOf: string) =>
  withQuery('/api/v1/reports/arrears', { project_id: projectId, as_of: asOf, format: 'xlsx' })
export const collectionReport = (projectId: number, year: number): Promise<CollectionRow[]> =>
  ok(api.GET('/api/v1/reports/collection', { params: { query: { project_id: projectId, year } } }))
export const incomeReport = (projectId: number, from: string, to: string): Promise<IncomeRow[]> =>
  ok(api.GET('/api/v1/reports/income', { params: { query: { project_id: projectId, from, to } } }))
