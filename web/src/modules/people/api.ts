// Calls of the people API (linli-people: owners and residents, who owns and who lives in a house),
// typed by the generated schema. Every page of the module goes through here. The
// resident's house binding is the phone pages' (mobile/api.ts).
import { api, ok } from '@/api/client'
import type { HousePeople, NewPerson, Person, PersonHouses, PersonPage, PersonPatch, QueryParams, RequestBody, RevealedPerson } from '@/api/types'

const path = (id: number) => ({ params: { path: { id } } })

// 业主与住户
export const listPersons = (query: QueryParams<'/api/v1/persons', 'get'>): Promise<PersonPage> => ok(api.GET('/api/v1/persons', { params: { query } }))
export const getPerson = (id: number): Promise<Person> => ok(api.GET('/api/v1/persons/{id}', path(id)))
export const createPerson = (body: NewPerson): Promise<Person> => ok(api.POST('/api/v1/persons', { body }))
export const updatePerson = (id: number, body: PersonPatch): Promise<Person> => ok(api.PATCH('/api/v1/persons/{id}', { ...path(id), body }))
/** The whole ID number and bank account, audited (useReveal shows them for a short while). */
export const revealPerson = (id: number): Promise<RevealedPerson> => ok(api.POST('/api/v1/persons/{id}/reveal', path(id)))
/** The houses a person owns or lives in. */
export const personHouses = (id: number): Promise<PersonHouses> => ok(api.GET('/api/v1/persons/{id}/houses', path(id)))

// 产权与入住 of a house
/** The house's owners and occupants, current and past. */
export const housePeople = (houseId: number): Promise<HousePeople> => ok(api.GET('/api/v1/houses/{id}/people', path(houseId)))
export const addOwnership = (houseId: number, body: RequestBody<'/api/v1/houses/{id}/ownerships', 'post'>) =>
  ok(api.POST('/api/v1/houses/{id}/ownerships', { ...path(houseId), body }))
export const endOwnership = (id: number, body: RequestBody<'/api/v1/ownerships/{id}/end', 'post'>) =>
  ok(api.POST('/api/v1/ownerships/{id}/end', { ...path(id), body }))
export const addOccupancy = (houseId: number, body: RequestBody<'/api/v1/houses/{id}/occupancies', 'post'>) =>
  ok(api.POST('/api/v1/houses/{id}/occupancies', { ...path(houseId), body }))
export const endOccupancy = (id: number, body: RequestBody<'/api/v1/occupancies/{id}/end', 'post'>) =>
  ok(api.POST('/api/v1/occupancies/{id}/end', { ...path(id), body }))
