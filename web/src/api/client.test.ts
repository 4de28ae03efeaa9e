import { describe, expect, it } from 'vitest'
import { CSRF_HEADER, csrfMiddleware, readCookie, rememberCsrfToken } from './client'

describe('readCookie', () => {
  it('finds one cookie among several', () => {
    expect(readCookie('linli_csrf', 'a=1; linli_csrf=abc%3D; b=2')).toBe('abc=')
    expect(readCookie('linli_csrf', 'linli_csrf_old=x; other=y')).toBeNull()
    expect(readCookie('linli_csrf', '')).toBeNull()
  })
})

async function through(method: string): Promise<Request> {
  const request = new Request('http://localhost/api/v1/projects', { method })
  const onRequest = csrfMiddleware.onRequest!
  const result = await onRequest({
    request,
    schemaPath: '/api/v1/projects',
    params: {},
    options: {} as never,
    id: 'test',
  })
  return (result as Request | undefined) ?? request
}

describe('csrfMiddleware', () => {
  it('adds the token to unsafe methods only', async () => {
    rememberCsrfToken('tok-123')
    for (const method of ['POST', 'PATCH', 'PUT', 'DELETE']) {
      expect((await through(method)).headers.get(CSRF_HEADER)).toBe('tok-123')
    }
    expect((await through('GET')).headers.get(CSRF_HEADER)).toBeNull()
    rememberCsrfToken(null)
    expect((await through('POST')).headers.get(CSRF_HEADER)).toBeNull()
  })
})
