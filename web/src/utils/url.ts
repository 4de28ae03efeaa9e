// Links the browser follows itself (downloads, printable pages): the session cookie is enough.

type QueryValue = string | number | boolean | null | undefined | readonly (string | number)[]

/** `path?a=1&b=x`, leaving out empty values; arrays are joined with commas (`ids=1,2,3`). */
export function withQuery(path: string, query: Record<string, QueryValue> = {}): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value === null || value === undefined || value === '') continue
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','))
      continue
    }
    params.set(key, String(value))
  }
  const text = params.toString().replace(/%2C/g, ',')
  return text ? `${path}?${text}` : path
}

/** Opens a same-site download or page in a new tab (no opener). */
export function openInNewTab(url: string): void {
  window.open(url, '_blank', 'noopener')
}
