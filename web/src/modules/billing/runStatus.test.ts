import { describe, expect, it } from 'vitest'
import { resumesAt } from './runStatus'

describe('resumesAt', () => {
  const now = new Date('2026-12-01T06:00:00Z') // 14:00 in Shanghai

  it('says when an interrupted run resumes, in Shanghai time', () => {
    expect(resumesAt({ state: 'running', stalled: true, lease_expires_at: '2026-12-01T06:05:00Z' }, now)).toBe('14:05')
  })

  it('says now when the lease has run out already', () => {
    expect(resumesAt({ state: 'running', stalled: true, lease_expires_at: '2026-12-01T05:00:00Z' }, now)).toBe('14:00')
  })

  it('says nothing of a run that is being worked on or is done', () => {
    expect(resumesAt({ state: 'running', stalled: false, lease_expires_at: '2026-12-01T06:05:00Z' }, now)).toBeNull()
    expect(resumesAt({ state: 'completed', stalled: false, lease_expires_at: null }, now)).toBeNull()
  })
})
