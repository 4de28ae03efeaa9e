// Calls of the users API (staff accounts, their grants and roles), typed by the generated schema.
// Every page of the module goes through here.
import { api, ok } from '@/api/client'
import type { Grant, NewUser, QueryParams, RequestBody, Role, UserPage } from '@/api/types'

const path = (id: number) => ({ params: { path: { id } } })

// 员工
export const listUsers = (query: QueryParams<'/api/v1/users', 'get'>): Promise<UserPage> => ok(api.GET('/api/v1/users', { params: { query } }))
export const createUser = (body: NewUser) => ok(api.POST('/api/v1/users', { body }))
export const updateUser = (id: number, body: RequestBody<'/api/v1/users/{id}', 'patch'>) => ok(api.PATCH('/api/v1/users/{id}', { ...path(id), body }))
export const disableUser = (id: number) => ok(api.POST('/api/v1/users/{id}/disable', path(id)))
export const enableUser = (id: number) => ok(api.POST('/api/v1/users/{id}/enable', path(id)))
/** Sets another user's password (an administrator's reset). */
export const setUserPassword = (id: number, body: RequestBody<'/api/v1/users/{id}/password', 'post'>) =>
  ok(api.POST('/api/v1/users/{id}/password', { ...path(id), body }))

// 授权: roles per project
export const listGrants = (userId: number): Promise<Grant[]> => ok(api.GET('/api/v1/users/{id}/grants', path(userId)))
export const addGrant = (userId: number, body: RequestBody<'/api/v1/users/{id}/grants', 'post'>) =>
  ok(api.POST('/api/v1/users/{id}/grants', { ...path(userId), body }))
export const removeGrant = (userId: number, grantId: number) =>
  ok(api.DELETE('/api/v1/users/{id}/grants/{grant_id}', { params: { path: { id: userId, grant_id: grantId } } }))

/** The role catalogue (built-in and the company's own). */
export const listRoles = (): Promise<Role[]> => ok(api.GET('/api/v1/roles'))
