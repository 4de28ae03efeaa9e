// Changing one's own password (POST /api/v1/auth/password), checked here as the server does
// (linli-auth: at least 8 characters, not the current one) so forms answer at once. The server
// stays the judge: its field errors (`current_password: incorrect`…) go next to the same inputs.
import { MIN_PASSWORD_LENGTH } from '@/modules/users/accountRules'
import type { RequestBody } from '@/api/types'

export interface OwnPasswordForm {
  current: string
  next: string
  confirm: string
}

/** An i18n key per field with a problem. */
export type OwnPasswordProblems = Partial<Record<keyof OwnPasswordForm, string>>

export function emptyOwnPasswordForm(): OwnPasswordForm {
  return { current: '', next: '', confirm: '' }
}

export function checkOwnPassword(form: OwnPasswordForm): OwnPasswordProblems {
  const problems: OwnPasswordProblems = {}
  if (!form.current) problems.current = 'account.password.currentRequired'
  if (!form.next) problems.next = 'account.password.newRequired'
  else if ([...form.next].length < MIN_PASSWORD_LENGTH) problems.next = 'account.password.tooShort'
  else if (form.next === form.current) problems.next = 'fieldErrors.same_as_current'
  if (form.confirm !== form.next) problems.confirm = 'account.password.mismatch'
  return problems
}

/** The request body. */
export function ownPasswordBody(form: OwnPasswordForm): RequestBody<'/api/v1/auth/password', 'post'> {
  return { current_password: form.current, new_password: form.next }
}

/** The server names the fields `current_password` and `new_password`; the form, `current` and `next`. */
export function formFieldOf(serverField: string): keyof OwnPasswordForm | undefined {
  if (serverField === 'current_password') return 'current'
  if (serverField === 'new_password' || serverField === 'password') return 'next'
  return undefined
}
