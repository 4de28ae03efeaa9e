import { describe, expect, it } from 'vitest'
import { backoffDelay, canResend, parseLiveMessage, parseUnread, statsByChannel } from './options'
import { normalizePreferences, withChannel } from './usePreferences'

describe('statsByChannel', () => {
  it('gives every channel a row with its state counts and total', () => {
    const rows = statsByChannel([
      { channel: 'sms', state: 'sent', count: 5 },
      { channel: 'sms', state: 'failed', count: 2 },
      { channel: 'in_app', state: 'sent', count: 7 },
    ])
    expect(rows.map((r) => r.channel)).toEqual(['in_app', 'sms', 'email'])
    expect(rows[1]).toMatchObject({ sent: 5, failed: 2, pending: 0, given_up: 0, total: 7 })
    expect(rows[2]).toMatchObject({ total: 0 })
  })
})

describe('inbox stream helpers', () => {
  it('backs off 1 s, 2 s, 4 s … up to 30 s', () => {
    expect([0, 1, 2, 3, 10].map(backoffDelay)).toEqual([1000, 2000, 4000, 8000, 30000])
  })

  it('reads the events of the stream', () => {
    expect(parseUnread('3')).toBe(3)
    expect(parseUnread('')).toBeNull()
    expect(parseUnread('x')).toBeNull()
    expect(parseLiveMessage('{"user_id":1,"message_id":9,"subject":"停水通知","body":"b","unread":2}')).toEqual({
      user_id: 1,
      message_id: 9,
      subject: '停水通知',
      body: 'b',
      unread: 2,
    })
    expect(parseLiveMessage('not json')).toBeNull()
    expect(parseLiveMessage('{"subject":"x"}')).toBeNull()
  })

  it('offers resend only for failed and given-up messages', () => {
    expect(['pending', 'sent', 'failed', 'given_up'].filter((s) => canResend(s as never))).toEqual(['failed', 'given_up'])
  })
})

describe('preferences', () => {
  it('lists every kind in order, with unknown channels dropped', () => {
    const rows = normalizePreferences([{ kind: 'alarm_raised', channels: ['sms', 'in_app'] }])
    expect(rows).toHaveLength(8)
    expect(rows.find((r) => r.kind === 'alarm_raised')?.channels).toEqual(['in_app', 'sms'])
    expect(rows.find((r) => r.kind === 'bill_issued')?.channels).toEqual([])
  })

  it('switches one channel on or off', () => {
    expect(withChannel(['in_app'], 'email', true)).toEqual(['in_app', 'email'])
    expect(withChannel(['in_app', 'sms'], 'in_app', false)).toEqual(['sms'])
  })
})
