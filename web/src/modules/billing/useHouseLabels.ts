// "1栋1单元301" for house ids the billing API gives without a label (run problems, adjustments).
// Looked up once per id and kept for the page's life.
import { reactive } from 'vue'
import { api, ok } from '@/api/client'
import { houseLabel } from '@/modules/property/options'

const MAX_LOOKUPS = 100

export function useHouseLabels() {
  const labels = reactive(new Map<number, string>())
  const asked = new Set<number>()

  /** Fetches the labels of these houses that are not known yet (at most 100 at a time). */
  async function resolve(ids: Iterable<number>): Promise<void> {
    const wanted = [...new Set(ids)].filter((id) => !asked.has(id)).slice(0, MAX_LOOKUPS)
    wanted.forEach((id) => asked.add(id))
    await Promise.all(
      wanted.map(async (id) => {
        try {
          const house = await ok(api.GET('/api/v1/houses/{id}', { params: { path: { id } } }))
          labels.set(id, houseLabel(house))
        } catch {
          // Left as its id.
        }
      }),
    )
  }

  const labelOf = (id: number | null | undefined) => (id === null || id === undefined ? '' : (labels.get(id) ?? `#${id}`))
  return { resolve, labelOf }
}
