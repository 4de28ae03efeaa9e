// Calls of the audit API (the audit log and who appears in it), typed by the generated schema.
import { api, ok } from '@/api/client'
import type { AuditActor, AuditPage, QueryParams } from '@/api/types'

export const listAuditLog = (query: QueryParams<'/api/v1/audit-log', 'get'>): Promise<AuditPage> =>
  ok(api.GET('/api/v1/audit-log', { params: { query } }))
/** Everybody who appears in the log, for its filter. */
export const listAuditActors = (): Promise<AuditActor[]> => ok(api.GET('/api/v1/audit-log/actors'))
