// Maintenance cycles ("每15天") and how close the next maintenance is.
import type { CycleUnit, EquipmentState } from '@/api/types'

type TagType = 'primary' | 'success' | 'warning' | 'info' | 'danger'
type T = (key: string, named?: Record<string, unknown>) => string

export const CYCLE_UNITS: readonly CycleUnit[] = ['day', 'week', 'month', 'year']
export const EQUIPMENT_STATES: readonly EquipmentState[] = ['running', 'faulty', 'under_repair', 'retired']

export const STATE_TAGS: Record<EquipmentState, TagType> = {
  running: 'success',
  faulty: 'danger',
  under_repair: 'warning',
  retired: 'info',
}

/** "每15天" / "Every 15 days", "每月" / "Monthly"; no cycle → "不定期". */
export function cycleText(every: number | null | undefined, unit: CycleUnit | null | undefined, t: T): string {
  if (!unit || !every || every < 1) return t('equipment.noCycle')
  return every === 1 ? t(`equipment.everyOne.${unit}`) : t(`equipment.everyMany.${unit}`, { n: every })
}

/** Days from `today` to `date` (both YYYY-MM-DD); negative when past. */
export function daysUntil(date: string, today: string): number {
  const ms = Date.parse(`${date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)
  return Math.round(ms / 86_400_000)
}

export type Due = 'overdue' | 'soon' | 'ok' | 'none'

/** Overdue once the date has passed, "soon" within `soonDays` (a week by default). */
export function dueState(next: string | null | undefined, today: string, soonDays = 7): Due {
  if (!next) return 'none'
  const days = daysUntil(next, today)
  if (Number.isNaN(days)) return 'none'
  if (days < 0) return 'overdue'
  return days <= soonDays ? 'soon' : 'ok'
}
