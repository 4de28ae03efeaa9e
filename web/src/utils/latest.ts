// The race guard of a view that loads as its inputs change: a slow answer to an older request must
// not overwrite a newer one (nor its error toast, nor its spinner). It only counts; it never cancels
// the request itself.

export interface Latest {
  /** Starts a request; the function it returns says whether that request is still the latest one. */
  begin(): () => boolean
  /** Makes every request already started stale (what they were for is gone, e.g. on sign-out). */
  invalidate(): void
}

/**
 * ```ts
 * const latest = useLatest()
 * async function load() {
 *   const isLatest = latest.begin()
 *   const answer = await fetchSomething()
 *   if (isLatest()) rows.value = answer
 * }
 * ```
 */
export function useLatest(): Latest {
  let seq = 0
  return {
    begin() {
      const mine = ++seq
      return () => mine === seq
    },
    invalidate() {
      seq++
    },
  }
}
