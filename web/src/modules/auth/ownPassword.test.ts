import { describe, expect, it } from 'vitest'
import { checkOwnPassword, formFieldOf, ownPasswordBody } from './ownPassword'

describe('own password form', () => {
  it('asks for the current password and a new one of at least 8 characters, typed twice', () => {
    expect(checkOwnPassword({ current: '', next: '', confirm: '' })).toEqual({
      current: 'account.password.currentRequired',
      next: 'account.password.newRequired',
    })
    expect(checkOwnPassword({ current: 'old-password', next: '长一点的新密码12', confirm: '长一点的新密码12' })).toEqual({})
    expect(checkOwnPassword({ current: 'old-password', next: 'short', confirm: 'short' }).next).toBe(
      'account.password.tooShort',
    )
    expect(checkOwnPassword({ current: 'old-password', next: 'new-password', confirm: 'new-passw0rd' })).toEqual({
      confirm: 'account.password.mismatch',
    })
  })

  it('refuses the current password as the new one, as the server does', () => {
    expect(checkOwnPassword({ current: 'same-password', next: 'same-password', confirm: 'same-password' })).toEqual({
      next: 'fieldErrors.same_as_current',
    })
  })

  it('speaks the API field names', () => {
    expect(ownPasswordBody({ current: 'a', next: 'b', confirm: 'b' })).toEqual({
      current_password: 'a',
      new_password: 'b',
    })
    expect(formFieldOf('current_password')).toBe('current')
    expect(formFieldOf('new_password')).toBe('next')
    expect(formFieldOf('body')).toBeUndefined()
  })
})
