import { describe, expect, it } from 'vitest'
import { withQuery } from './url'

describe('withQuery', () => {
  it('leaves out empty values and joins lists with commas', () => {
    expect(withQuery('/api/v1/houses/export', { project_id: 1, q: '', state: undefined, usage: null })).toBe(
      '/api/v1/houses/export?project_id=1',
    )
    expect(withQuery('/api/v1/equipment/labels', { ids: [1, 2, 3] })).toBe('/api/v1/equipment/labels?ids=1,2,3')
    expect(withQuery('/x', { ids: [] })).toBe('/x')
    expect(withQuery('/x')).toBe('/x')
  })

  it('encodes what needs encoding', () => {
    expect(withQuery('/api/v1/persons/export', { q: '张 三&1', dry_run: true })).toBe(
      '/api/v1/persons/export?q=%E5%BC%A0+%E4%B8%89%261&dry_run=true',
    )
  })
})
