// Calls of the equipment API (linli-equipment: categories, the archive, maintenance, attachments,
// history), typed by the generated schema. Every page of the module goes through here. Uploads go
// through el-upload itself, and labels and exports are links the browser follows.
import { api, ok } from '@/api/client'
import type {
  Attachment,
  AuditPage,
  Equipment,
  EquipmentCategory,
  EquipmentPage,
  EquipmentPatch,
  NewEquipment,
  QueryParams,
  RequestBody,
} from '@/api/types'

const path = (id: number) => ({ params: { path: { id } } })

export const listCategories = (): Promise<EquipmentCategory[]> => ok(api.GET('/api/v1/equipment-categories'))

// 设备档案
export const listEquipment = (query: QueryParams<'/api/v1/equipment', 'get'>): Promise<EquipmentPage> =>
  ok(api.GET('/api/v1/equipment', { params: { query } }))
export const getEquipment = (id: number): Promise<Equipment> => ok(api.GET('/api/v1/equipment/{id}', path(id)))
export const createEquipment = (body: NewEquipment): Promise<Equipment> => ok(api.POST('/api/v1/equipment', { body }))
export const updateEquipment = (id: number, body: EquipmentPatch): Promise<Equipment> =>
  ok(api.PATCH('/api/v1/equipment/{id}', { ...path(id), body }))
export const deleteEquipment = (id: number) => ok(api.DELETE('/api/v1/equipment/{id}', path(id)))
/** Records a maintenance done on a day; answers the equipment with its next due date. */
export const markMaintained = (id: number, body: RequestBody<'/api/v1/equipment/{id}/maintained', 'post'>): Promise<Equipment> =>
  ok(api.POST('/api/v1/equipment/{id}/maintained', { ...path(id), body }))
export const equipmentHistory = (id: number, query: QueryParams<'/api/v1/equipment/{id}/history', 'get'>): Promise<AuditPage> =>
  ok(api.GET('/api/v1/equipment/{id}/history', { params: { path: { id }, query } }))

// 附件
export const listAttachments = (equipmentId: number): Promise<Attachment[]> => ok(api.GET('/api/v1/equipment/{id}/attachments', path(equipmentId)))
export const deleteAttachment = (id: number) => ok(api.DELETE('/api/v1/attachments/{id}', path(id)))
