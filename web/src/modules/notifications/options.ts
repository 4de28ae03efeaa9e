// The message kinds, channels and delivery states the server knows (labels: `notifications.*`),
// and the small pure helpers the inbox and the message pages share.
import type { Channel, LiveMessage, MessageState, NotificationKind, StateCount } from '@/api/types'

export const KINDS: NotificationKind[] = [
  'bill_issued',
  'bill_overdue',
  'payment_received',
  'work_order_assigned',
  'visitor_confirm',
  'alarm_raised',
  'notice_published',
  'event_published',
]
export const CHANNELS: Channel[] = ['in_app', 'sms', 'email']
export const STATES: MessageState[] = ['pending', 'sent', 'failed', 'given_up']

/** Only failed and given-up messages can be sent again (the server answers 409 otherwise). */
export function canResend(state: MessageState): boolean {
  return state === 'failed' || state === 'given_up'
}

export type ChannelStats = Record<MessageState, number> & { channel: Channel; total: number }

/** `[{channel, state, count}]` as one row per channel (every channel, zeros included). */
export function statsByChannel(counts: StateCount[]): ChannelStats[] {
  return CHANNELS.map((channel) => {
    const row = { channel, total: 0, pending: 0, sent: 0, failed: 0, given_up: 0 } as ChannelStats
    for (const c of counts) {
      if (c.channel !== channel) continue
      row[c.state] += c.count
      row.total += c.count
    }
    return row
  })
}

/** Delay before reconnecting the inbox stream after `attempt` failures: 1 s, 2 s, 4 s … at most 30 s. */
export function backoffDelay(attempt: number): number {
  return Math.min(30_000, 1000 * 2 ** Math.max(0, attempt))
}

/** The payload of a `message` event, or null when it is not one. */
export function parseLiveMessage(data: string): LiveMessage | null {
  try {
    const value: unknown = JSON.parse(data)
    if (typeof value !== 'object' || value === null) return null
    const m = value as Partial<LiveMessage>
    if (typeof m.message_id !== 'number' || typeof m.subject !== 'string' || typeof m.unread !== 'number') return null
    return { user_id: Number(m.user_id), message_id: m.message_id, subject: m.subject, body: String(m.body ?? ''), unread: m.unread }
  } catch {
    return null
  }
}

/** The unread count of an `unread` event (a bare number), or null. */
export function parseUnread(data: string): number | null {
  const n = Number(data.trim())
  return data.trim() !== '' && Number.isSafeInteger(n) && n >= 0 ? n : null
}
