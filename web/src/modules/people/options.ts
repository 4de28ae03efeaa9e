// The closed lists of the people module.
import type { Gender, IdType, PersonKind } from '@/api/types'

export const PERSON_KINDS: readonly PersonKind[] = ['person', 'organization']
export const GENDERS: readonly Gender[] = ['male', 'female']
export const ID_TYPES: readonly IdType[] = [
  'resident_id_card',
  'passport',
  'hk_macau_permit',
  'taiwan_permit',
  'foreigner_permit',
  'credit_code',
  'other',
]

/** The ID types that make sense for a kind of person: organisations have a credit code. */
export function idTypesFor(kind: PersonKind): IdType[] {
  return kind === 'organization' ? ['credit_code', 'other'] : ID_TYPES.filter((t) => t !== 'credit_code')
}

/** Mobile or landline, as the server accepts them (it checks again). */
export const PHONE_PATTERN = /^(\+?\d[\d -]{5,19})$/
