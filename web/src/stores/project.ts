// The project the console is working in. Pages read `currentId` / `current` from here;
// the choice is remembered in localStorage and falls back to the first granted project.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import type { ProjectRef } from '@/api/types'
import { useSessionStore } from './session'

export const PROJECT_STORAGE_KEY = 'linli.project'
type ProjectId = ProjectRef['id']

function readStored(): ProjectId | null {
  try {
    const raw = localStorage.getItem(PROJECT_STORAGE_KEY)
    return raw === null ? null : (JSON.parse(raw) as ProjectId)
  } catch {
    return null
  }
}

export const useProjectStore = defineStore('project', () => {
  const session = useSessionStore()
  const chosen = ref<ProjectId | null>(readStored())

  const projects = computed<ProjectRef[]>(() => session.me?.projects ?? [])

  const current = computed<ProjectRef | null>(() => {
    const list = projects.value
    return list.find((p) => p.id === chosen.value) ?? list[0] ?? null
  })
  const currentId = computed<ProjectId | null>(() => current.value?.id ?? null)

  function select(id: ProjectId): void {
    chosen.value = id
    try {
      localStorage.setItem(PROJECT_STORAGE_KEY, JSON.stringify(id))
    } catch {
      // Storage unavailable: remembered for this page only.
    }
  }

  function nameOf(id: ProjectId | null | undefined): string | null {
    if (id === null || id === undefined) return null
    return projects.value.find((p) => p.id === id)?.name ?? null
  }

  return { projects, current, currentId, select, nameOf }
})
