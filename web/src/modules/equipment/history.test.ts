import { describe, expect, it } from 'vitest'
import { actionVerb, changedFields } from './history'

describe('changedFields', () => {
  it('lists what differs, leaving out bookkeeping', () => {
    const before = { id: 1, name: '1号客梯', state: 'running', location: null, updated_at: 'a' }
    const after = { id: 1, name: '1号客梯', state: 'faulty', location: '1栋', updated_at: 'b' }
    expect(changedFields(before, after)).toEqual([
      { field: 'state', before: 'running', after: 'faulty' },
      { field: 'location', before: null, after: '1栋' },
    ])
  })

  it('treats a creation as every field set', () => {
    expect(changedFields(null, { code: 'DT-01', name: '客梯' }).map((c) => c.field)).toEqual(['code', 'name'])
    expect(changedFields('x', 3)).toEqual([])
  })
})

describe('actionVerb', () => {
  it('is the last segment', () => {
    expect(actionVerb('equipment.item.maintained')).toBe('maintained')
    expect(actionVerb('created')).toBe('created')
  })
})
