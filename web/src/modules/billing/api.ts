// Calls of the billing API. Every page of the module goes through here, so that switching from the
// hand-declared types to the generated schema touches one file.
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

type Query = Record<string, string | number | boolean | undefined | null>
interface Init {
  params?: { query?: Query; path?: Record<string, number> }
  body?: unknown
  headers?: Record<string, string>
}
type Answer = Promise<{ data?: unknown; error?: unknown; response: Response }>
/** The shared client (same CSRF and session handling), for paths the generated schema may not list yet. */
const client = api as unknown as { GET(path: string, init?: Init): Answer; POST(path: string, init?: Init): Answer }

function get<T>(path: string, init?: Init): Promise<T> {
  return ok(client.GET(path, init)) as Promise<T>
}
function post<T>(path: string, init?: Init): Promise<T> {
  return ok(client.POST(path, init)) as Promise<T>
}
const clean = (query: Query): Query =>
  Object.fromEntries(Object.entries(query).filter(([, v]) => v !== undefined && v !== null && v !== ''))

// 收费项目, 收费标准, 适用范围
export const listFeeItems = (projectId: number) => get<FeeItem[]>('/api/v1/fee-items', { params: { query: { project_id: projectId } } })
export const createFeeItem = (body: NewFeeItem) => post<FeeItem>('/api/v1/fee-items', { body })
export const listStandards = (feeItemId: number) =>
  get<Standard[]>('/api/v1/fee-items/{id}/standards', { params: { path: { id: feeItemId } } })
export const createStandard = (feeItemId: number, body: NewStandard) =>
  post<Standard>('/api/v1/fee-items/{id}/standards', { params: { path: { id: feeItemId } }, body })
export const listAssignments = (feeItemId: number) =>
  get<Assignment[]>('/api/v1/fee-items/{id}/assignments', { params: { path: { id: feeItemId } } })
export const createAssignment = (feeItemId: number, body: NewAssignment) =>
  post<Assignment>('/api/v1/fee-items/{id}/assignments', { params: { path: { id: feeItemId } }, body })

// 计费批次
export const createRun = (body: NewRun) => post<Run>('/api/v1/billing-runs', { body })
export const listRuns = (projectId: number, page: number, pageSize: number) =>
  get<Page<Run>>('/api/v1/billing-runs', { params: { query: { project_id: projectId, page, page_size: pageSize } } })
export const getRun = (id: number) => get<Run>('/api/v1/billing-runs/{id}', { params: { path: { id } } })
export const confirmRun = (id: number) => post<Run>('/api/v1/billing-runs/{id}/confirm', { params: { path: { id } } })

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
export const listBills = (query: BillQuery) => get<Page<Bill>>('/api/v1/bills', { params: { query: clean({ ...query }) } })
export const getBill = (id: number, asOf?: string) =>
  get<BillDetail>('/api/v1/bills/{id}', { params: { path: { id }, query: clean({ as_of: asOf }) } })

// 收银台
export const getAccount = (houseId: number, asOf?: string) =>
  get<HouseAccount>('/api/v1/houses/{id}/account', { params: { path: { id: houseId }, query: clean({ as_of: asOf }) } })
export const collectPayment = (houseId: number, body: NewPayment, idempotencyKey: string) =>
  post<Receipt>('/api/v1/houses/{id}/payments', {
    params: { path: { id: houseId } },
    body,
    headers: { 'Idempotency-Key': idempotencyKey },
  })

// 调整与减免
export const requestAdjustment = (billId: number, body: NewAdjustment) =>
  post<Adjustment>('/api/v1/bills/{id}/adjustments', { params: { path: { id: billId } }, body })
export const listAdjustments = (projectId: number, state?: AdjustmentState | '') =>
  get<Adjustment[] | Page<Adjustment>>('/api/v1/adjustments', { params: { query: clean({ project_id: projectId, state }) } }).then(
    (answer) => (Array.isArray(answer) ? answer : answer.items),
  )
export const approveAdjustment = (id: number) => post<Adjustment>('/api/v1/adjustments/{id}/approve', { params: { path: { id } } })
export const rejectAdjustment = (id: number) => post<Adjustment>('/api/v1/adjustments/{id}/reject', { params: { path: { id } } })

// 报表
export const arrearsReport = (projectId: number, asOf: string) =>
  get<ArrearsReport>('/api/v1/reports/arrears', { params: { query: { project_id: projectId, as_of: asOf } } })
/** The XLSX download of the arrears report (a link the browser follows with the session cookie). */
export const arrearsXlsxUrl = (projectId: number, asOf: string) =>
  withQuery('/api/v1/reports/arrears', { project_id: projectId, as_of: asOf, format: 'xlsx' })
export const collectionReport = (projectId: number, year: number) =>
  get<CollectionRow[] | { rows: CollectionRow[] }>('/api/v1/reports/collection', { params: { query: { project_id: projectId, year } } }).then(
    (answer) => (Array.isArray(answer) ? answer : answer.rows),
  )
export const incomeReport = (projectId: number, from: string, to: string) =>
  get<IncomeRow[] | { rows: IncomeRow[] }>('/api/v1/reports/income', { params: { query: { project_id: projectId, from, to } } }).then(
    (answer) => (Array.isArray(answer) ? answer : answer.rows),
  )
