import { describe, expect, it } from 'vitest'
import document from '../../../../openapi.json?raw'
import { NAV_GROUPS, PERMISSIONS } from './nav'

// The type check holds PERMISSIONS to the generated list; this holds the list to the document
// the server serves, so a permission renamed on the server fails here too.
describe('the console permissions', () => {
  const served: string[] = JSON.parse(document).components.schemas.Permission.enum

  it('are all in the server’s list', () => {
    expect(served.length).toBeGreaterThan(20)
    for (const p of Object.values(PERMISSIONS)) expect(served).toContain(p)
    for (const item of NAV_GROUPS.flatMap((g) => g.items)) if (item.permission) expect(served).toContain(item.permission)
  })
})
