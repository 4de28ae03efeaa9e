// Names for the API shapes the app uses, derived from `paths` in the generated schema so that
// they follow whatever the server calls its schemas.
import type { components, operations, paths } from './schema'

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete'
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M & keyof paths[P]]>
type JsonOf<R> = R extends { content: { 'application/json': infer B } } ? B : never
type SuccessOf<O> = O extends { responses: infer R }
  ? 200 extends keyof R
    ? JsonOf<R[200]>
    : 201 extends keyof R
      ? JsonOf<R[201]>
      : never
  : never
type BodyOf<O> = O extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never
type QueryOf<O> = O extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never

/** The JSON a successful call answers. */
export type ResponseData<P extends keyof paths, M extends Method> = SuccessOf<Operation<P, M>>
/** The JSON body a call takes. */
export type RequestBody<P extends keyof paths, M extends Method> = BodyOf<Operation<P, M>>
/** The query parameters a call takes. */
export type QueryParams<P extends keyof paths, M extends Method> = QueryOf<Operation<P, M>>

export type Me = ResponseData<'/api/v1/auth/me', 'get'>
export type Grant = Me['grants'][number]
export type ProjectRef = Me['projects'][number]
/** A permission name, from the server's closed list. */
export type Permission = Me['permissions'][number]
export type ProjectPage = ResponseData<'/api/v1/projects', 'get'>
export type Project = ProjectPage['items'][number]
export type ProjectKind = Project['kind']
export type NewProject = RequestBody<'/api/v1/projects', 'post'>
export type UserPage = ResponseData<'/api/v1/users', 'get'>
export type User = UserPage['items'][number]
export type NewUser = RequestBody<'/api/v1/users', 'post'>
export type Role = ResponseData<'/api/v1/roles', 'get'>[number]
export type AuditPage = ResponseData<'/api/v1/audit-log', 'get'>
export type AuditEntry = AuditPage['items'][number]
export type AuditActor = ResponseData<'/api/v1/audit-log/actors', 'get'>[number]

/**
 * RFC 9457 problem details as the document describes them, every field optional: an error body
 * may come from a proxy and hold none of them.
 */
export type Problem = Partial<components['schemas']['Problem']>

export type ProjectStats = ResponseData<'/api/v1/projects/{id}/stats', 'get'>
export type BuildingNode = ResponseData<'/api/v1/projects/{id}/structure', 'get'>[number]
export type UnitNode = BuildingNode['units'][number]
export type Building = BuildingNode['building']
export type BuildingKind = Building['kind']
export type NewBuilding = RequestBody<'/api/v1/buildings', 'post'>
export type Unit = UnitNode['unit']
export type HousePage = ResponseData<'/api/v1/houses', 'get'>
export type House = HousePage['items'][number]
export type HouseUsage = House['usage']
export type HouseState = House['state']
export type NewHouse = RequestBody<'/api/v1/houses', 'post'>
export type HousePatch = RequestBody<'/api/v1/houses/{id}', 'patch'>
export type HousePeople = ResponseData<'/api/v1/houses/{id}/people', 'get'>
export type Ownership = HousePeople['owners'][number]
export type Occupancy = HousePeople['occupants'][number]
export type Relation = Occupancy['relation']
export type PersonPage = ResponseData<'/api/v1/persons', 'get'>
export type Person = PersonPage['items'][number]
export type PersonKind = Person['kind']
export type IdType = NonNullable<Person['id_type']>
export type Gender = NonNullable<Person['gender']>
export type NewPerson = RequestBody<'/api/v1/persons', 'post'>
export type PersonPatch = RequestBody<'/api/v1/persons/{id}', 'patch'>
export type PersonHouses = ResponseData<'/api/v1/persons/{id}/houses', 'get'>
export type RevealedPerson = ResponseData<'/api/v1/persons/{id}/reveal', 'post'>
export type EquipmentPage = ResponseData<'/api/v1/equipment', 'get'>
export type Equipment = EquipmentPage['items'][number]
export type EquipmentState = Equipment['state']
export type CycleUnit = NonNullable<Equipment['cycle_unit']>
export type NewEquipment = RequestBody<'/api/v1/equipment', 'post'>
export type EquipmentPatch = RequestBody<'/api/v1/equipment/{id}', 'patch'>
export type EquipmentCategory = ResponseData<'/api/v1/equipment-categories', 'get'>[number]
export type Attachment = ResponseData<'/api/v1/equipment/{id}/attachments', 'get'>[number]
export type ImportReport = ResponseData<'/api/v1/imports/{kind}', 'post'>
export type ImportRowError = ImportReport['errors'][number]
/** What the server imports (`POST /imports/{kind}`) and exports (`GET /{kind}/export`). */
export type ImportKind = operations['run_import']['parameters']['path']['kind']
export type MessagePage = ResponseData<'/api/v1/messages', 'get'>
export type Message = MessagePage['items'][number]
export type NotificationKind = Message['kind']
export type Channel = Message['channel']
export type MessageState = Message['state']
export type Preference = ResponseData<'/api/v1/notification-preferences', 'get'>[number]
export type StateCount = ResponseData<'/api/v1/messages/stats', 'get'>[number]
export type NewUserMessage = RequestBody<'/api/v1/messages', 'post'>
/** A `message` event of `GET /api/v1/inbox/stream` (not in the OpenAPI document: it is SSE). */
export interface LiveMessage {
  user_id: number
  message_id: number
  subject: string
  body: string
  unread: number
}
