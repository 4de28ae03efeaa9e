// Calls of the resident pages that are not shared with the console: house binding (绑定房屋).
import { api, ok } from '@/api/client'
import type { components } from '@/api/schema'
import type { ResponseData } from '@/api/types'

export type MyHouses = ResponseData<'/api/v1/bindings', 'get'>
/** 202 Accepted: when the code expires (said whoever owns the phone). */
export type CodeSent = components['schemas']['CodeSent']

/** The houses the signed-in account is bound to. */
export const myHouses = (): Promise<MyHouses> => ok(api.GET('/api/v1/bindings'))
/** Sends a code to the owner's phone (the answer is the same whether or not the phone is an owner's). */
export const requestBindingCode = (phone: string): Promise<CodeSent> => ok(api.POST('/api/v1/bindings/code', { body: { phone } })) as Promise<CodeSent>
/** Binds the account to the owner's houses with the code. */
export const confirmBinding = (phone: string, code: string): Promise<MyHouses> => ok(api.POST('/api/v1/bindings', { body: { phone, code } }))

export type MyAccount = ResponseData<'/api/v1/my/houses/{id}/account', 'get'>
export type MyBills = ResponseData<'/api/v1/my/houses/{id}/bills', 'get'>
export type MyBill = ResponseData<'/api/v1/my/houses/{id}/bills/{bill_id}', 'get'>

/** What my house owes today: open bills with their late fees, and the prepaid balance. */
export const myAccount = (house: number): Promise<MyAccount> => ok(api.GET('/api/v1/my/houses/{id}/account', { params: { path: { id: house } } }))
/** My house's bills, newest period first, a page at a time. */
export const myBills = (house: number, page: number): Promise<MyBills> =>
  ok(api.GET('/api/v1/my/houses/{id}/bills', { params: { path: { id: house }, query: { page, page_size: 20 } } }))
/** One bill of my house with its lines and its late fee. */
export const myBill = (house: number, bill: number): Promise<MyBill> =>
  ok(api.GET('/api/v1/my/houses/{id}/bills/{bill_id}', { params: { path: { id: house, bill_id: bill } } }))

export type PaymentOrder = ResponseData<'/api/v1/my/houses/{id}/payment-orders/{order_id}', 'get'>
export type MyPayments = ResponseData<'/api/v1/my/houses/{id}/payments', 'get'>

/** My house's payments (缴费记录), newest first, a page at a time. */
export const myPayments = (house: number, page: number): Promise<MyPayments> =>
  ok(api.GET('/api/v1/my/houses/{id}/payments', { params: { path: { id: house }, query: { page, page_size: 20 } } }))
/** The electronic receipt of a payment of my house: a page of its own. */
export const receiptUrl = (house: number, payment: number): string => `/api/v1/my/houses/${house}/payments/${payment}/receipt`

/** The channels the office takes payments through (empty: pay at the counter). */
export const paymentChannels = (): Promise<string[]> => ok(api.GET('/api/v1/payment-channels'))
/** An order for what my house owes, through a channel; the same key answers the same order. */
export const createPaymentOrder = (house: number, channel: 'wechat' | 'alipay', idempotencyKey: string): Promise<PaymentOrder> =>
  ok(
    api.POST('/api/v1/my/houses/{id}/payment-orders', {
      params: { path: { id: house }, header: { 'Idempotency-Key': idempotencyKey } },
      body: { channel },
    }),
  ) as Promise<PaymentOrder>
/** One of my house's orders, polled until paid. */
export const getPaymentOrder = (house: number, order: number): Promise<PaymentOrder> =>
  ok(api.GET('/api/v1/my/houses/{id}/payment-orders/{order_id}', { params: { path: { id: house, order_id: order } } }))
