import type { ProjectKind } from '@/api/types'

export const PROJECT_KINDS: readonly ProjectKind[] = ['residential', 'commercial', 'office', 'mixed']

export const KIND_TAG_TYPES: Record<ProjectKind, 'primary' | 'success' | 'warning' | 'info'> = {
  residential: 'success',
  commercial: 'warning',
  office: 'primary',
  mixed: 'info',
}
