// Calls of the property API (linli-property: projects, buildings, units, houses), typed by the
// generated schema. Every page of the module goes through here, and so do other modules' pages
// that look a house or a building up.
import { api, ok } from '@/api/client'
import type {
  Building,
  BuildingNode,
  House,
  HousePage,
  HousePatch,
  NewBuilding,
  NewHouse,
  NewProject,
  Project,
  ProjectPage,
  ProjectStats,
  QueryParams,
  RequestBody,
  ResponseData,
  Unit,
} from '@/api/types'

const path = (id: number) => ({ params: { path: { id } } })

// 项目
export const listProjects = (query: QueryParams<'/api/v1/projects', 'get'>): Promise<ProjectPage> =>
  ok(api.GET('/api/v1/projects', { params: { query } }))
export const createProject = (body: NewProject): Promise<Project> => ok(api.POST('/api/v1/projects', { body }))
export const updateProject = (id: number, body: RequestBody<'/api/v1/projects/{id}', 'patch'>): Promise<Project> =>
  ok(api.PATCH('/api/v1/projects/{id}', { ...path(id), body }))
export const projectStats = (id: number): Promise<ProjectStats> => ok(api.GET('/api/v1/projects/{id}/stats', path(id)))
/** The project's buildings and units with their house counts. */
export const projectStructure = (id: number): Promise<BuildingNode[]> => ok(api.GET('/api/v1/projects/{id}/structure', path(id)))

// 楼栋 and 单元
export const listBuildings = (
  query: QueryParams<'/api/v1/buildings', 'get'>,
): Promise<ResponseData<'/api/v1/buildings', 'get'>> => ok(api.GET('/api/v1/buildings', { params: { query } }))
export const createBuilding = (body: NewBuilding): Promise<Building> => ok(api.POST('/api/v1/buildings', { body }))
export const updateBuilding = (id: number, body: RequestBody<'/api/v1/buildings/{id}', 'patch'>): Promise<Building> =>
  ok(api.PATCH('/api/v1/buildings/{id}', { ...path(id), body }))
export const deleteBuilding = (id: number) => ok(api.DELETE('/api/v1/buildings/{id}', path(id)))
export const createUnit = (body: RequestBody<'/api/v1/units', 'post'>): Promise<Unit> => ok(api.POST('/api/v1/units', { body }))
export const renameUnit = (id: number, body: RequestBody<'/api/v1/units/{id}', 'patch'>): Promise<Unit> =>
  ok(api.PATCH('/api/v1/units/{id}', { ...path(id), body }))
export const deleteUnit = (id: number) => ok(api.DELETE('/api/v1/units/{id}', path(id)))

// 房屋
export const listHouses = (query: QueryParams<'/api/v1/houses', 'get'>): Promise<HousePage> => ok(api.GET('/api/v1/houses', { params: { query } }))
export const getHouse = (id: number): Promise<House> => ok(api.GET('/api/v1/houses/{id}', path(id)))
export const createHouse = (body: NewHouse): Promise<House> => ok(api.POST('/api/v1/houses', { body }))
export const updateHouse = (id: number, body: HousePatch): Promise<House> => ok(api.PATCH('/api/v1/houses/{id}', { ...path(id), body }))
export const deleteHouse = (id: number) => ok(api.DELETE('/api/v1/houses/{id}', path(id)))
