// The meters API's shapes (linli-meters), from the generated schema (`npm run gen:api`), named after
// the operations that answer them. Quantities are decimal strings with up to three places.
import type { QueryParams, RequestBody, ResponseData } from '@/api/types'

// 计量表 and 抄表 (tag `meters`, permissions `billing.meter.*` and `billing.reading.enter`)
export type Meter = ResponseData<'/api/v1/meters', 'get'>['items'][number]
export type NewMeter = RequestBody<'/api/v1/meters', 'post'>
export type MeterPatch = RequestBody<'/api/v1/meters/{id}', 'patch'>
export type Apportion = NonNullable<Meter['apportion']>
export type Reading = ResponseData<'/api/v1/meter-readings', 'get'>['items'][number]
export type ReadingState = Reading['state']
export type Replacement = RequestBody<'/api/v1/meter-readings/{id}/replacement', 'post'>
export type UsageRow = ResponseData<'/api/v1/meter-usage', 'get'>[number]
export type SheetRow = ResponseData<'/api/v1/meter-readings/sheet', 'get'>[number]

export type MeterPage = ResponseData<'/api/v1/meters', 'get'>
export type ReadingPage = ResponseData<'/api/v1/meter-readings', 'get'>

/** The document's filters, with the project and the page always given. */
export type MeterQuery = QueryParams<'/api/v1/meters', 'get'> & { project_id: number; page: number; page_size: number }
