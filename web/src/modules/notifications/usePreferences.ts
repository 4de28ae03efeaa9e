// My notification preferences: which channels each kind of message reaches me on. Every switch
// is saved at once (`PUT` one kind); a failed save puts the switch back.
import { ref } from 'vue'
import type { Channel, NotificationKind, Preference } from '@/api/types'
import { CHANNELS, KINDS } from './options'
import { listPreferences, setPreference } from './api'

/** The preference list in the app's kind order, with every kind present. */
export function normalizePreferences(list: Preference[]): Preference[] {
  const byKind = new Map(list.map((p) => [p.kind, p.channels]))
  return KINDS.map((kind) => ({ kind, channels: CHANNELS.filter((c) => byKind.get(kind)?.includes(c)) }))
}

/** The channels of `current` with `channel` switched on or off (in the app's channel order). */
export function withChannel(current: Channel[], channel: Channel, on: boolean): Channel[] {
  return CHANNELS.filter((c) => (c === channel ? on : current.includes(c)))
}

export function usePreferences(onError: (error: unknown) => void, onSaved?: () => void) {
  const rows = ref<Preference[]>([])
  const loading = ref(false)
  const saving = ref<string | null>(null)

  async function load(): Promise<void> {
    loading.value = true
    try {
      rows.value = normalizePreferences(await listPreferences())
    } catch (error) {
      onError(error)
    } finally {
      loading.value = false
    }
  }

  function has(kind: NotificationKind, channel: Channel): boolean {
    return rows.value.find((r) => r.kind === kind)?.channels.includes(channel) ?? false
  }

  async function toggle(kind: NotificationKind, channel: Channel, on: boolean): Promise<void> {
    const row = rows.value.find((r) => r.kind === kind)
    if (!row) return
    const before = row.channels
    const channels = withChannel(before, channel, on)
    rows.value = rows.value.map((r) => (r.kind === kind ? { kind, channels } : r))
    saving.value = `${kind}.${channel}`
    try {
      const saved = await setPreference({ kind, channels })
      rows.value = rows.value.map((r) => (r.kind === kind ? { kind, channels: CHANNELS.filter((c) => saved.channels.includes(c)) } : r))
      onSaved?.()
    } catch (error) {
      rows.value = rows.value.map((r) => (r.kind === kind ? { kind, channels: before } : r))
      onError(error)
    } finally {
      saving.value = null
    }
  }

  return { rows, loading, saving, load, has, toggle }
}
