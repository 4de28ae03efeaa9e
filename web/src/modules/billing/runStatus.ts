// A running billing run whose worker is gone (a crash, a restart) resumes by itself when its lease
// ends; the console says so instead of showing "running" with nothing happening.
import { formatTime } from '@/utils/format'
import type { Run } from './types'

/** "HH:MM" (Asia/Shanghai) when an interrupted run resumes (now, if that time has passed); null
 * while the run is not interrupted. */
export function resumesAt(run: Pick<Run, 'state' | 'stalled' | 'lease_expires_at'>, now: Date = new Date()): string | null {
  if (run.state !== 'running' || !run.stalled) return null
  const at = run.lease_expires_at ? new Date(run.lease_expires_at) : now
  return formatTime(at.getTime() > now.getTime() ? at : now)
}
