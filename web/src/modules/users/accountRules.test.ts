import { describe, expect, it } from 'vitest'
import { PHONE_PATTERN, USERNAME_PATTERN } from './accountRules'

describe('account rules', () => {
  it('accepts the usernames the server accepts', () => {
    for (const ok of ['admin', 'zhang.san', 'li_si-2', 'a@b.cn']) expect(USERNAME_PATTERN.test(ok), ok).toBe(true)
    for (const bad of ['ab', '张三', 'has space', 'x'.repeat(65)]) expect(USERNAME_PATTERN.test(bad), bad).toBe(false)
  })

  it('accepts mainland mobile numbers only', () => {
    expect(PHONE_PATTERN.test('13800000000')).toBe(true)
    expect(PHONE_PATTERN.test('23800000000')).toBe(false)
    expect(PHONE_PATTERN.test('1380000000')).toBe(false)
  })
})
