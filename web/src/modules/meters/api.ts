// Calls of the meters API (linli-meters: 计量表, 抄表, 用量与公摊), typed by the generated schema.
// Every page of the module goes through here.
import { api, ok } from '@/api/client'
import { withQuery } from '@/utils/url'
import type { ImportReport, QueryParams, RequestBody } from '@/api/types'
import type { MeterKind } from './meterReadings'
import type { Meter, MeterPage, MeterPatch, MeterQuery, NewMeter, Reading, ReadingPage, Replacement, SheetRow, UsageRow } from './types'

// 计量表 and 抄表
export const listMeters = ({ q, ...query }: MeterQuery): Promise<MeterPage> =>
  ok(api.GET('/api/v1/meters', { params: { query: { ...query, q: q?.trim() || undefined } } }))
export const getMeter = (id: number): Promise<Meter> => ok(api.GET('/api/v1/meters/{id}', { params: { path: { id } } }))
export const createMeter = (body: NewMeter): Promise<Meter> => ok(api.POST('/api/v1/meters', { body }))
export const updateMeter = (id: number, body: MeterPatch): Promise<Meter> =>
  ok(api.PATCH('/api/v1/meters/{id}', { params: { path: { id } }, body }))

// 读数
export type ReadingQuery = QueryParams<'/api/v1/meter-readings', 'get'> & { page: number; page_size: number }
export const listReadings = (query: ReadingQuery): Promise<ReadingPage> => ok(api.GET('/api/v1/meter-readings', { params: { query } }))
export const confirmReading = (id: number): Promise<Reading> =>
  ok(api.POST('/api/v1/meter-readings/{id}/confirm', { params: { path: { id } } }))
export const rejectReading = (id: number): Promise<Reading> =>
  ok(api.POST('/api/v1/meter-readings/{id}/reject', { params: { path: { id } } }))
/** 换表: the old meter's final register and the new one's initial register, in the reading's period. */
export const replaceMeter = (readingId: number, body: Replacement): Promise<Reading> =>
  ok(api.POST('/api/v1/meter-readings/{id}/replacement', { params: { path: { id: readingId } }, body }))

/** What a technician reads in a period: every active meter with the register it is read from. */
export const readingSheet = (query: QueryParams<'/api/v1/meter-readings/sheet', 'get'>): Promise<SheetRow[]> =>
  ok(api.GET('/api/v1/meter-readings/sheet', { params: { query } }))
/** Enters readings; one outcome per row, in order. */
export const enterReadings = (body: RequestBody<'/api/v1/meter-readings', 'post'>) => ok(api.POST('/api/v1/meter-readings', { body }))

// 抄表单 and its import
/** The reading sheet of a period as XLSX (a link the browser follows with the session cookie). */
export const readingSheetUrl = (projectId: number, period: string, kind?: MeterKind) =>
  withQuery('/api/v1/meter-readings/sheet.xlsx', { project_id: projectId, period, kind })
/** Imports a filled-in reading sheet; a dry run checks and counts without saving. */
export const importReadings = (projectId: number, period: string, file: File, dryRun: boolean): Promise<ImportReport> => {
  const form = new FormData()
  form.append('file', file, file.name)
  return ok(
    api.POST('/api/v1/meter-readings/import', {
      params: { query: { project_id: projectId, period, dry_run: dryRun } },
      // The schema describes the multipart field; the request carries the FormData itself.
      body: { file: file.name },
      bodySerializer: () => form,
    }),
  )
}

// 用量与公摊
export const meterUsage = (projectId: number, period: string, kind: MeterKind): Promise<UsageRow[]> =>
  ok(api.GET('/api/v1/meter-usage', { params: { query: { project_id: projectId, period, kind } } }))
