// Calls of the payments API (linli-payments) for the console: the orders residents paid through
// WeChat Pay and Alipay, and refunds back through the same channel.
import { api, ok } from '@/api/client'
import type { RequestBody, ResponseData } from '@/api/types'

export type PaymentOrderPage = ResponseData<'/api/v1/payment-orders', 'get'>
export type PaymentOrder = PaymentOrderPage['items'][number]
export type OrderDetail = ResponseData<'/api/v1/payment-orders/{id}', 'get'>
export type PaymentRefund = OrderDetail['refunds'][number]
export type NewOrderRefund = RequestBody<'/api/v1/payment-orders/{id}/refunds', 'post'>
export type OrderState = PaymentOrder['state']

export const ORDER_STATES: OrderState[] = ['pending', 'paid', 'closed']

export const listPaymentOrders = (projectId: number, state: OrderState | '', page: number): Promise<PaymentOrderPage> =>
  ok(
    api.GET('/api/v1/payment-orders', {
      params: { query: { project_id: projectId, state: state || undefined, page, page_size: 20 } },
    }),
  )
export const getPaymentOrder = (id: number): Promise<OrderDetail> =>
  ok(api.GET('/api/v1/payment-orders/{id}', { params: { path: { id } } }))
export const refundPaymentOrder = (id: number, body: NewOrderRefund): Promise<PaymentRefund> =>
  ok(api.POST('/api/v1/payment-orders/{id}/refunds', { params: { path: { id } }, body }))

// Reconciliation (对账) of a channel's day against Linli's books.
export type ReconciliationPage = ResponseData<'/api/v1/reconciliations', 'get'>
export type Reconciliation = ReconciliationPage['items'][number]
export type ReconciliationDetail = ResponseData<'/api/v1/reconciliations/{id}', 'get'>
export type Discrepancy = ReconciliationDetail['discrepancies'][number]
export type NewReconciliation = RequestBody<'/api/v1/reconciliations', 'post'>
export type NewResolution = RequestBody<'/api/v1/discrepancies/{id}/resolution', 'post'>
export type Resolution = NewResolution['resolution']
export type ReconciliationState = Reconciliation['state']

export const RESOLUTIONS: Resolution[] = ['credited', 'refunded_at_channel', 'corrected', 'written_off', 'explained']

export const listReconciliations = (
  channel: NewReconciliation['channel'] | '',
  state: ReconciliationState | '',
  page: number,
): Promise<ReconciliationPage> =>
  ok(
    api.GET('/api/v1/reconciliations', {
      params: { query: { channel: channel || undefined, state: state || undefined, page, page_size: 20 } },
    }),
  )
export const getReconciliation = (id: number): Promise<ReconciliationDetail> =>
  ok(api.GET('/api/v1/reconciliations/{id}', { params: { path: { id } } }))
export const reconcileDay = (body: NewReconciliation): Promise<ReconciliationDetail> =>
  ok(api.POST('/api/v1/reconciliations', { body }))
export const resolveDiscrepancy = (id: number, body: NewResolution): Promise<Discrepancy> =>
  ok(api.POST('/api/v1/discrepancies/{id}/resolution', { params: { path: { id } }, body }))
export const signOffReconciliation = (id: number, note: string): Promise<Reconciliation> =>
  ok(api.POST('/api/v1/reconciliations/{id}/sign-off', { params: { path: { id } }, body: { note: note || undefined } }))
export const listPaymentChannels = (): Promise<NewReconciliation['channel'][]> => ok(api.GET('/api/v1/payment-channels'))
