// The one way the app talks to the server: an openapi-fetch client typed by the generated schema.
// Cookie session + CSRF header on unsafe methods; any 401 (except a failed sign-in) ends the session.
import createClient, { type Middleware } from 'openapi-fetch'
import type { paths } from './schema'
import { ApiError } from './errors'

export const CSRF_COOKIE = 'linli_csrf'
export const CSRF_HEADER = 'X-CSRF-Token'
const UNSAFE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

/** The value of one cookie from a `document.cookie`-style string, or null. */
export function readCookie(name: string, cookies: string): string | null {
  for (const part of cookies.split(';')) {
    const eq = part.indexOf('=')
    if (eq < 0) continue
    if (part.slice(0, eq).trim() === name) {
      const raw = part.slice(eq + 1).trim()
      try {
        return decodeURIComponent(raw)
      } catch {
        return raw
      }
    }
  }
  return null
}

// The login answer also carries the token; kept in case the cookie cannot be read (it normally can).
let csrfFromLogin: string | null = null
export function rememberCsrfToken(token: string | null): void {
  csrfFromLogin = token
}

/** The CSRF token to send on a write (also for uploads that bypass the client, e.g. el-upload). */
export function csrfToken(): string | null {
  const cookies = typeof document === 'undefined' ? '' : document.cookie
  return readCookie(CSRF_COOKIE, cookies) ?? csrfFromLogin
}

export const csrfMiddleware: Middleware = {
  onRequest({ request }) {
    if (UNSAFE_METHODS.has(request.method.toUpperCase())) {
      const token = csrfToken()
      if (token) request.headers.set(CSRF_HEADER, token)
    }
    return request
  },
}

let unauthorizedHandler: (() => void) | null = null
/** Called on every 401 except from the login call itself (that one is a wrong password). */
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler
}

export const sessionMiddleware: Middleware = {
  onResponse({ request, response }) {
    if (response.status === 401 && !new URL(request.url, 'http://x').pathname.endsWith('/auth/login')) {
      unauthorizedHandler?.()
    }
    return response
  },
}

export const api = createClient<paths>({
  baseUrl: '',
  credentials: 'same-origin',
  headers: { Accept: 'application/json, application/problem+json' },
})
api.use(csrfMiddleware, sessionMiddleware)

type FetchResult<D> = { data?: D; error?: unknown; response: Response }

/** Awaits a client call and returns its data, or throws an ApiError with the server's code. */
export async function ok<D>(call: Promise<FetchResult<D>>): Promise<D> {
  let result: FetchResult<D>
  try {
    result = await call
  } catch (cause) {
    throw ApiError.network(cause)
  }
  if (!result.response.ok) throw ApiError.fromResponse(result.response.status, result.error)
  return result.data as D
}
