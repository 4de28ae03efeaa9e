import { describe, expect, it } from 'vitest'
import schemaSource from './schema.d.ts?raw'

// openapi-typescript keys operations by operationId: two routes with the same id collapse into one
// type and the app silently gets the wrong request/response shapes.
function operationIds(source: string): string[] {
  const start = source.indexOf('export interface operations {')
  if (start < 0) return []
  const ids: string[] = []
  for (const line of source.slice(start).split('\n').slice(1)) {
    if (line.startsWith('}')) break
    const match = /^ {4}(?:"([^"]+)"|([A-Za-z0-9_$]+)): \{/.exec(line)
    if (match) ids.push(match[1] ?? match[2] ?? '')
  }
  return ids
}

describe('generated API schema', () => {
  it('has one operation per operationId (the server must give each route a unique one)', () => {
    const ids = operationIds(schemaSource)
    expect(ids.length).toBeGreaterThan(0)
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i)
    expect(duplicates, `duplicate operationIds in ../openapi.json: ${duplicates.join(', ')}`).toEqual([])
  })

  it('describes the endpoints the app calls', () => {
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/auth/me',
      '/api/v1/auth/logout',
      '/api/v1/projects',
      '/api/v1/projects/{id}',
      '/api/v1/users',
      '/api/v1/users/{id}/grants/{grant_id}',
      '/api/v1/roles',
      '/api/v1/audit-log',
      '/api/v1/projects/{id}/structure',
      '/api/v1/projects/{id}/stats',
      '/api/v1/buildings',
      '/api/v1/buildings/{id}',
      '/api/v1/units',
      '/api/v1/units/{id}',
      '/api/v1/houses',
      '/api/v1/houses/{id}',
      '/api/v1/houses/{id}/people',
      '/api/v1/houses/{id}/ownerships',
      '/api/v1/houses/{id}/occupancies',
      '/api/v1/ownerships/{id}/end',
      '/api/v1/occupancies/{id}/end',
      '/api/v1/persons',
      '/api/v1/persons/{id}',
      '/api/v1/persons/{id}/reveal',
      '/api/v1/persons/{id}/houses',
      '/api/v1/equipment-categories',
      '/api/v1/equipment',
      '/api/v1/equipment/{id}',
      '/api/v1/equipment/{id}/maintained',
      '/api/v1/equipment/{id}/history',
      '/api/v1/equipment/{id}/attachments',
      '/api/v1/attachments/{id}',
      '/api/v1/imports/{kind}',
      // Followed by the browser itself (downloads, printable pages, images), not through the client.
      '/api/v1/imports/{kind}/template',
      '/api/v1/houses/export',
      '/api/v1/persons/export',
      '/api/v1/equipment/export',
      '/api/v1/equipment/labels',
      '/api/v1/equipment/{id}/label.svg',
    ]) {
      expect(schemaSource).toContain(`"${path}": {`)
    }
  })
})
