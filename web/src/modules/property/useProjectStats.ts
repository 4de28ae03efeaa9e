// A project's stats card, loaded when the project changes.
import { ref, watch, type Ref } from 'vue'
import type { ProjectStats } from '@/api/types'
import { useLatest } from '@/utils/latest'
import { projectStats } from './api'

export function useProjectStats(projectId: Ref<number | null | undefined>) {
  const stats = ref<ProjectStats | null>(null)
  const error = ref<unknown>(null)
  const loading = ref(false)
  const latest = useLatest()

  async function load(): Promise<void> {
    const id = projectId.value
    const isLatest = latest.begin()
    stats.value = null
    error.value = null
    if (id === null || id === undefined) return
    loading.value = true
    try {
      const answer = await projectStats(id)
      if (isLatest()) stats.value = answer
    } catch (e) {
      if (isLatest()) error.value = e
    } finally {
      if (isLatest()) loading.value = false
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
