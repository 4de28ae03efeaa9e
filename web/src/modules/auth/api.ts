// Calls of the auth API the pages make themselves (sign-in, sign-out and "who am I" are the session
// store's), typed by the generated schema.
import { api, ok } from '@/api/client'
import type { RequestBody } from '@/api/types'

/** Changes the signed-in user's own password (console dialog and phone page alike). */
export const changeOwnPassword = (body: RequestBody<'/api/v1/auth/password', 'post'>) => ok(api.POST('/api/v1/auth/password', { body }))
