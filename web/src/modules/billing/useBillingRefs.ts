// What several billing pages look up by id: the project's buildings and fee items.
import { computed, shallowRef, watch, type Ref } from 'vue'
import type { Building } from '@/api/types'
import { listBuildings } from '@/modules/property/api'
import { byName } from '@/modules/property/structure'
import { listFeeItems } from './api'
import type { FeeItem } from './types'

export function useBillingRefs(projectId: Ref<number | null>, what: { buildings?: boolean; feeItems?: boolean } = {}) {
  const buildings = shallowRef<Building[]>([])
  const feeItems = shallowRef<FeeItem[]>([])

  async function loadBuildings(id: number) {
    try {
      const answer = await listBuildings({ project_id: id, page: 1, page_size: 500 })
      if (projectId.value === id) buildings.value = [...answer.items].sort(byName)
    } catch {
      // The filter stays empty.
    }
  }

  async function loadFeeItems(id: number) {
    try {
      const items = await listFeeItems(id)
      if (projectId.value === id) feeItems.value = items
    } catch {
      // Names fall back to ids.
    }
  }

  function reload() {
    buildings.value = []
    feeItems.value = []
    const id = projectId.value
    if (id === null) return
    if (what.buildings) void loadBuildings(id)
    if (what.feeItems !== false) void loadFeeItems(id)
  }

  watch(projectId, reload, { immediate: true })

  const feeItemNames = computed(() => new Map(feeItems.value.map((f) => [f.id, f.name])))
  const feeItemName = (id: number | null | undefined) => (id === null || id === undefined ? '' : (feeItemNames.value.get(id) ?? `#${id}`))
  const buildingNames = computed(() => new Map(buildings.value.map((b) => [b.id, b.name])))
  const buildingName = (id: number | null | undefined) => (id === null || id === undefined ? '' : (buildingNames.value.get(id) ?? `#${id}`))

  return { buildings, feeItems, feeItemName, buildingName, reloadFeeItems: () => projectId.value !== null && loadFeeItems(projectId.value) }
}
