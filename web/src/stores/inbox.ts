// The signed-in user's in-app messages: the unread count and the latest messages, kept live by
// the server-sent event stream `GET /api/v1/inbox/stream`. main.ts starts it when somebody signs
// in and stops it on sign-out; layouts subscribe with `onArrival` to show a toast of their kind.
import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api, ok } from '@/api/client'
import { ApiError } from '@/api/errors'
import type { LiveMessage, Message } from '@/api/types'
import { backoffDelay, parseLiveMessage, parseUnread } from '@/modules/notifications/options'
import { useLatest } from '@/utils/latest'

export const INBOX_STREAM_URL = '/api/v1/inbox/stream'
export const INBOX_PAGE_SIZE = 20

/** One inbox line: a full `Message` from the list, or what a live event says until the list is reloaded. */
export type InboxEntry = Pick<Message, 'id' | 'subject' | 'body' | 'created_at'> &
  Partial<Pick<Message, 'kind' | 'project_id' | 'read_at'>>

type Listener = (message: LiveMessage) => void

export const useInboxStore = defineStore('inbox', () => {
  const unread = ref(0)
  const items = ref<InboxEntry[]>([])
  const total = ref(0)
  const loading = ref(false)
  /** The stream is open (false while reconnecting). */
  const connected = ref(false)
  /** A page has been fetched since the start (until then nothing is known to be finished). */
  const loaded = ref(false)
  const finished = computed(() => loaded.value && items.value.length >= total.value)

  let active = false
  let source: EventSource | null = null
  let retryTimer: ReturnType<typeof setTimeout> | null = null
  let attempt = 0
  let page = 1
  const latest = useLatest()
  const listeners = new Set<Listener>()

  /** Opens the stream (once; calling it again while open does nothing). */
  function start(): void {
    if (active) return
    active = true
    attempt = 0
    connect()
  }

  /** Closes the stream and forgets everything (sign-out, or the session ended). */
  function stop(): void {
    active = false
    closeSource()
    if (retryTimer !== null) clearTimeout(retryTimer)
    retryTimer = null
    latest.invalidate()
    unread.value = 0
    items.value = []
    total.value = 0
    page = 1
    loaded.value = false
    loading.value = false
  }

  function closeSource(): void {
    source?.close()
    source = null
    connected.value = false
  }

  function connect(): void {
    retryTimer = null
    const Source = globalThis.EventSource
    if (!active || typeof Source === 'undefined') return
    const es = new Source(INBOX_STREAM_URL, { withCredentials: true })
    source = es
    es.onopen = () => {
      attempt = 0
      connected.value = true
    }
    // Sent first on every (re)connection: the count, and a cue to catch up on what we missed.
    es.addEventListener('unread', (event) => {
      const n = parseUnread((event as MessageEvent<string>).data)
      if (n === null) return
      unread.value = n
      void refresh()
    })
    es.addEventListener('message', (event) => {
      const live = parseLiveMessage((event as MessageEvent<string>).data)
      if (live) receive(live)
    })
    es.onerror = () => {
      if (source !== es) return
      connected.value = false
      // CONNECTING: the browser retries by itself. CLOSED: it gave up (the answer was not a stream).
      if (es.readyState === 2) {
        closeSource()
        void recover()
      }
    }
  }

  /** After the browser gave up on the stream: a 401 ends the session, anything else retries later. */
  async function recover(): Promise<void> {
    try {
      // A 401 here also goes through the client's handler: the session is cleared (which stops us)
      // and the page goes to the login.
      unread.value = (await ok(api.GET('/api/v1/inbox/unread'))).unread
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        stop()
        return
      }
    }
    if (!active || retryTimer !== null) return
    retryTimer = setTimeout(connect, backoffDelay(attempt++))
  }

  function receive(live: LiveMessage): void {
    unread.value = live.unread
    if (!items.value.some((m) => m.id === live.message_id)) {
      items.value = [
        { id: live.message_id, subject: live.subject, body: live.body, read_at: null, created_at: new Date().toISOString() },
        ...items.value,
      ]
      total.value += 1
    }
    for (const listener of listeners) listener(live)
  }

  /** Calls `listener` for every message that arrives live; returns the unsubscribe function. */
  function onArrival(listener: Listener): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  async function fetchPage(n: number) {
    return ok(api.GET('/api/v1/inbox', { params: { query: { page: n, page_size: INBOX_PAGE_SIZE } } }))
  }

  /** Reloads the first page. */
  async function refresh(): Promise<void> {
    const isLatest = latest.begin()
    loading.value = true
    try {
      const answer = await fetchPage(1)
      if (!isLatest()) return
      items.value = answer.items
      total.value = answer.total
      page = 1
      loaded.value = true
    } catch {
      // Keep what we have: the stream or the next refresh will catch up.
    } finally {
      if (isLatest()) loading.value = false
    }
  }

  /** Appends the next page (infinite lists). */
  async function loadMore(): Promise<void> {
    if (finished.value) return
    const isLatest = latest.begin()
    const next = items.value.length === 0 ? 1 : page + 1
    loading.value = true
    try {
      const answer = await fetchPage(next)
      if (!isLatest()) return
      const known = new Set(items.value.map((m) => m.id))
      items.value = [...items.value, ...answer.items.filter((m) => !known.has(m.id))]
      total.value = answer.total
      page = next
      loaded.value = true
    } finally {
      if (isLatest()) loading.value = false
    }
  }

  async function markRead(id: number): Promise<void> {
    const entry = items.value.find((m) => m.id === id)
    if (entry?.read_at) return
    const answer = await ok(api.POST('/api/v1/inbox/{id}/read', { params: { path: { id } } }))
    unread.value = answer.unread
    const now = new Date().toISOString()
    items.value = items.value.map((m) => (m.id === id ? { ...m, read_at: m.read_at ?? now } : m))
  }

  async function markAllRead(): Promise<void> {
    const answer = await ok(api.POST('/api/v1/inbox/read-all'))
    unread.value = answer.unread
    const now = new Date().toISOString()
    items.value = items.value.map((m) => ({ ...m, read_at: m.read_at ?? now }))
  }

  return {
    unread,
    items,
    total,
    loading,
    loaded,
    connected,
    finished,
    start,
    stop,
    refresh,
    loadMore,
    markRead,
    markAllRead,
    onArrival,
    receive,
  }
})
