import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { useInboxStore } from './inbox'

// A stand-in for the browser's EventSource: the test fires the server's events by hand.
class FakeEventSource {
  static instances: FakeEventSource[] = []
  readyState = 0
  closed = false
  onopen: (() => void) | null = null
  onerror: (() => void) | null = null
  private handlers = new Map<string, ((e: { data: string }) => void)[]>()
  constructor(
    readonly url: string,
    readonly init?: EventSourceInit,
  ) {
    FakeEventSource.instances.push(this)
  }
  addEventListener(type: string, handler: (e: { data: string }) => void) {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler])
  }
  emit(type: string, data: string) {
    for (const h of this.handlers.get(type) ?? []) h({ data })
  }
  close() {
    this.closed = true
    this.readyState = 2
  }
}

describe('inbox store', () => {
  beforeEach(() => {
    FakeEventSource.instances = []
    vi.stubGlobal('EventSource', FakeEventSource)
    // The list and the probes go nowhere in unit tests.
    vi.stubGlobal('fetch', () => Promise.reject(new Error('offline')))
    setActivePinia(createPinia())
  })
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllGlobals()
  })

  it('opens the stream once, with credentials', () => {
    const inbox = useInboxStore()
    inbox.start()
    inbox.start()
    expect(FakeEventSource.instances).toHaveLength(1)
    expect(FakeEventSource.instances[0]!.url).toBe('/api/v1/inbox/stream')
    expect(FakeEventSource.instances[0]!.init).toEqual({ withCredentials: true })
  })

  it('keeps the unread count and puts live messages first, telling the listeners', () => {
    const inbox = useInboxStore()
    const seen: string[] = []
    inbox.onArrival((m) => seen.push(m.subject))
    inbox.start()
    const es = FakeEventSource.instances[0]!
    es.emit('unread', '0')
    expect(inbox.unread).toBe(0)
    es.emit('message', JSON.stringify({ user_id: 1, message_id: 7, subject: '停水通知', body: '明天停水', unread: 1 }))
    expect(inbox.unread).toBe(1)
    expect(inbox.items[0]).toMatchObject({ id: 7, subject: '停水通知', read_at: null })
    expect(seen).toEqual(['停水通知'])
    // The same message twice (a reconnect) is listed once.
    es.emit('message', JSON.stringify({ user_id: 1, message_id: 7, subject: '停水通知', body: '明天停水', unread: 1 }))
    expect(inbox.items).toHaveLength(1)
  })

  it('closes the stream and forgets everything on stop', () => {
    const inbox = useInboxStore()
    inbox.start()
    const es = FakeEventSource.instances[0]!
    es.emit('unread', '4')
    inbox.stop()
    expect(es.closed).toBe(true)
    expect(inbox.unread).toBe(0)
    expect(inbox.items).toEqual([])
  })

  it('reconnects with backoff when the browser gives up for another reason than a 401', async () => {
    vi.useFakeTimers()
    const inbox = useInboxStore()
    inbox.start()
    const es = FakeEventSource.instances[0]!
    es.readyState = 2
    es.onerror!()
    await vi.advanceTimersByTimeAsync(0)
    expect(FakeEventSource.instances).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1000)
    expect(FakeEventSource.instances).toHaveLength(2)
    inbox.stop()
  })
})
