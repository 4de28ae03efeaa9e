import { describe, expect, it } from 'vitest'
import { boundHouses, normalizeCode, phoneOk, secondsLeft } from './binding'

describe('house binding', () => {
  it('takes the phone as the property office writes it', () => {
    expect(phoneOk('13800000001')).toBe(true)
    expect(phoneOk('+86 138-0000-0001')).toBe(true)
    expect(phoneOk('0571 8800 0001')).toBe(true)
    expect(phoneOk('12345')).toBe(false)
    expect(phoneOk('138000000a1')).toBe(false)
    expect(phoneOk('')).toBe(false)
  })

  it('takes a six-digit code, spaces ignored', () => {
    expect(normalizeCode(' 123 456 ')).toBe('123456')
    expect(normalizeCode('12345')).toBeNull()
    expect(normalizeCode('12345a')).toBeNull()
  })

  it('waits a minute before another code', () => {
    expect(secondsLeft(null, 5_000)).toBe(0)
    expect(secondsLeft(1_000, 1_000)).toBe(60)
    expect(secondsLeft(1_000, 1_500)).toBe(60)
    expect(secondsLeft(1_000, 60_999)).toBe(1)
    expect(secondsLeft(1_000, 61_000)).toBe(0)
  })

  it('lists each current house once, owned first', () => {
    const houses = boundHouses({
      ownerships: [
        { house_id: 1, house_label: '1栋1单元101' },
        { house_id: 2, house_label: '1栋1单元102', ended_on: '2025-01-01' },
      ],
      occupancies: [
        { house_id: 1, house_label: '1栋1单元101' },
        { house_id: 3, house_label: '2栋1单元301' },
        { house_id: 4, house_label: '2栋1单元302', moved_out_on: '2025-02-01' },
      ],
    })
    expect(houses).toEqual([
      { house_id: 1, house_label: '1栋1单元101', owner: true },
      { house_id: 3, house_label: '2栋1单元301', owner: false },
    ])
  })
})
