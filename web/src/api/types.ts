// Names for the API shapes the app uses, derived from `paths` in the generated schema so that
// they follow whatever the server calls its schemas.
import type { paths } from './schema'

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

/** The JSON a successful call answers. */
export type ResponseData<P extends keyof paths, M extends Method> = SuccessOf<Operation<P, M>>
/** The JSON body a call takes. */
export type RequestBody<P extends keyof paths, M extends Method> = BodyOf<Operation<P, M>>

export type Me = ResponseData<'/api/v1/auth/me', 'get'>
export type Grant = Me['grants'][number]
export type ProjectRef = Me['projects'][number]
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

/** RFC 9457 problem details as the server sends them. */
export interface Problem {
  type?: string
  title?: string
  status?: number
  code?: string
  errors?: { field: string; code: string }[]
}
