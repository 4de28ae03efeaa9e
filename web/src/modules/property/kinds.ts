import type { ProjectKind } from '@/api/types'

export const PROJECT_KINDS: readonly ProjectKind[] = ['residential', 'commercial', 'office', 'mixed']

export const KIND_TAG_TYPES: Record<ProjectKind, 'primary' | 'success' | 'warning' | 'info'> = {
  residential: 'success',
  commercial: 'warning',
  office: 'primary',
  mixed: 'info',
}

/** Zones offered in the project form (others can be typed); business dates follow the project's zone. */
export const TIME_ZONES: readonly string[] = [
  'Asia/Shanghai',
  'Asia/Urumqi',
  'Asia/Hong_Kong',
  'Asia/Macau',
  'Asia/Taipei',
  'Asia/Singapore',
]
