// A project's stats card, loaded when the project changes.
import { ref, watch, type Ref } from 'vue'
import { api, ok } from '@/api/client'
import type { ProjectStats } from '@/api/types'

export function useProjectStats(projectId: Ref<number | null | undefined>) {
  const stats = ref<ProjectStats | null>(null)
  const error = ref<unknown>(null)
  const loading = ref(false)
  let seq = 0

  async function load(): Promise<void> {
    const id = projectId.value
    const mine = ++seq
    stats.value = null
    error.value = null
    if (id === null || id === undefined) return
    loading.value = true
    try {
      const answer = await ok(api.GET('/api/v1/projects/{id}/stats', { params: { path: { id } } }))
      if (mine === seq) stats.value = answer
    } catch (e) {
      if (mine === seq) error.value = e
    } finally {
      if (mine === seq) loading.value = false
    }
  }

  watch(projectId, load, { immediate: true })
  return { stats, error, loading, load }
}

/** "62.5%" of the houses that are occupied; "—" without houses. */
export function occupancyRate(stats: Pick<ProjectStats, 'houses' | 'occupied'> | null): string {
  if (!stats || stats.houses <= 0) return '—'
  const tenths = Math.round((stats.occupied * 1000) / stats.houses)
  return `${Math.floor(tenths / 10)}${tenths % 10 ? `.${tenths % 10}` : ''}%`
}
