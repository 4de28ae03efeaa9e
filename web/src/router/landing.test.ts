import { describe, expect, it } from 'vitest'
import { belongsOnPhone, homePathFor, safeRedirect } from './landing'

const grant = (role: string) => ({ id: 1, project_id: 1, project_name: 'P', role })

describe('homePathFor', () => {
  it('sends staff to the console, residents and field staff to their H5', () => {
    expect(homePathFor({ grants: [grant('admin')] })).toBe('/dashboard')
    expect(homePathFor({ grants: [grant('cashier'), grant('guard')] })).toBe('/dashboard')
    expect(homePathFor({ grants: [grant('resident')] })).toBe('/m')
    expect(homePathFor({ grants: [grant('technician'), grant('guard')] })).toBe('/m/staff')
    expect(homePathFor({ grants: [] })).toBe('/dashboard')
  })
})

describe('belongsOnPhone', () => {
  it('is true for residents only, so the console sends them to /m', () => {
    expect(belongsOnPhone({ grants: [grant('resident')] })).toBe(true)
    expect(belongsOnPhone({ grants: [grant('resident'), grant('resident')] })).toBe(true)
    expect(belongsOnPhone({ grants: [grant('resident'), grant('cashier')] })).toBe(false)
    expect(belongsOnPhone({ grants: [grant('technician')] })).toBe(false)
    expect(belongsOnPhone({ grants: [] })).toBe(false)
  })
})

describe('safeRedirect', () => {
  it('follows same-site paths only', () => {
    expect(safeRedirect('/projects?page=2')).toBe('/projects?page=2')
    expect(safeRedirect(['/users'])).toBe('/users')
    expect(safeRedirect('https://evil.example')).toBeNull()
    expect(safeRedirect('//evil.example')).toBeNull()
    expect(safeRedirect('/\\evil.example')).toBeNull()
    expect(safeRedirect('/login?redirect=/x')).toBeNull()
    expect(safeRedirect(undefined)).toBeNull()
  })
})
