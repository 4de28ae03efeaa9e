import { describe, expect, it } from 'vitest'
import { useLatest } from './latest'

describe('useLatest', () => {
  it('a request stays the latest until another one begins', () => {
    const latest = useLatest()
    const first = latest.begin()
    expect(first()).toBe(true)
    const second = latest.begin()
    expect(first()).toBe(false)
    expect(second()).toBe(true)
  })

  it('a slow older answer does not overwrite a newer one', async () => {
    const latest = useLatest()
    let shown = ''
    const load = async (answer: string, ms: number) => {
      const isLatest = latest.begin()
      await new Promise((resolve) => setTimeout(resolve, ms))
      if (isLatest()) shown = answer
    }
    await Promise.all([load('old', 20), load('new', 1)])
    expect(shown).toBe('new')
  })

  it('invalidate makes every started request stale', () => {
    const latest = useLatest()
    const a = latest.begin()
    latest.invalidate()
    expect(a()).toBe(false)
    expect(latest.begin()()).toBe(true)
  })

  it('guards are independent of each other', () => {
    const one = useLatest()
    const two = useLatest()
    const a = one.begin()
    two.begin()
    expect(a()).toBe(true)
  })
})
