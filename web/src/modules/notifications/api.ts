// Calls of the notifications API the pages make (message log, statistics, resend, send, my
// preferences), typed by the generated schema. The inbox and its stream are the inbox store's.
import { api, ok } from '@/api/client'
import type { MessagePage, NewUserMessage, Preference, QueryParams, RequestBody, StateCount } from '@/api/types'

export const listMessages = (query: QueryParams<'/api/v1/messages', 'get'>): Promise<MessagePage> =>
  ok(api.GET('/api/v1/messages', { params: { query } }))
/** How many messages are in each delivery state. */
export const messageStats = (): Promise<StateCount[]> => ok(api.GET('/api/v1/messages/stats'))
export const resendMessage = (id: number) => ok(api.POST('/api/v1/messages/{id}/resend', { params: { path: { id } } }))
/** Sends one user a message through the channels they chose. */
export const sendMessage = (body: NewUserMessage) => ok(api.POST('/api/v1/messages', { body }))

// 通知偏好: the signed-in user's own
export const listPreferences = (): Promise<Preference[]> => ok(api.GET('/api/v1/notification-preferences'))
export const setPreference = (body: RequestBody<'/api/v1/notification-preferences', 'put'>): Promise<Preference> =>
  ok(api.PUT('/api/v1/notification-preferences', { body }))
