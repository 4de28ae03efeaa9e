import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

const post = vi.fn()
vi.mock('@/api/client', () => ({
  api: { POST: (...args: unknown[]) => post(...args) },
  ok: async (call: Promise<{ data: unknown }>) => (await call).data,
}))
// Outside a component there is nothing to unmount.
vi.mock('vue', async (original) => ({ ...(await original<typeof import('vue')>()), onBeforeUnmount: () => undefined }))

const { useReveal, REVEAL_SECONDS } = await import('./useReveal')

describe('useReveal', () => {
  beforeEach(() => {
    vi.useFakeTimers()
    post.mockResolvedValue({ data: { id: 7, id_number: '110101199003074477', bank_account: '6222020200112233445' } })
  })
  afterEach(() => {
    vi.useRealTimers()
    post.mockReset()
  })

  it('shows the clear values for 30 seconds, counting down, then hides them', async () => {
    expect(REVEAL_SECONDS).toBe(30)
    const reveal = useReveal()
    await reveal.reveal(7)
    expect(post).toHaveBeenCalledWith('/api/v1/persons/{id}/reveal', { params: { path: { id: 7 } } })
    expect(reveal.shown.value).toBe(true)
    expect(reveal.revealed.value?.id_number).toBe('110101199003074477')
    expect(reveal.remaining.value).toBe(30)

    vi.advanceTimersByTime(29_000)
    expect(reveal.shown.value).toBe(true)
    expect(reveal.remaining.value).toBe(1)

    vi.advanceTimersByTime(1_000)
    expect(reveal.shown.value).toBe(false)
    expect(reveal.revealed.value).toBeNull()
  })

  it('hides at once on request and keeps nothing when the server refuses', async () => {
    const reveal = useReveal()
    await reveal.reveal(7)
    reveal.hide()
    expect(reveal.shown.value).toBe(false)

    post.mockRejectedValueOnce(new Error('forbidden'))
    await expect(reveal.reveal(7)).rejects.toThrow('forbidden')
    expect(reveal.shown.value).toBe(false)
    expect(reveal.loading.value).toBe(false)
  })
})
