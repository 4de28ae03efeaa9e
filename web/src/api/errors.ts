// API failures as one error type with the server's stable `code`, and their translation.
import type { Problem } from './types'

export interface FieldProblem {
  field: string
  code: string
}

export class ApiError extends Error {
  readonly status: number
  readonly code: string
  readonly fieldErrors: FieldProblem[]
  /** With `still_referenced`: the kinds of records that still refer to what was to be deleted. */
  readonly referencedBy: string[]

  constructor(status: number, code: string, fieldErrors: FieldProblem[] = [], title?: string, referencedBy: string[] = []) {
    super(title || `${code} (${status})`)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    this.fieldErrors = fieldErrors
    this.referencedBy = referencedBy
  }

  /** Builds the error from a response status and its (maybe problem+json) body. */
  static fromResponse(status: number, body: unknown): ApiError {
    const problem = isProblem(body) ? body : undefined
    const code = problem?.code || codeForStatus(status)
    const fields = Array.isArray(problem?.errors)
      ? problem.errors.filter((e) => e && typeof e.field === 'string' && typeof e.code === 'string')
      : []
    const referencedBy = Array.isArray(problem?.referenced_by)
      ? problem.referenced_by.filter((k): k is string => typeof k === 'string')
      : []
    return new ApiError(status, code, fields, problem?.title, referencedBy)
  }

  static network(cause: unknown): ApiError {
    const error = new ApiError(0, 'network_error')
    error.cause = cause
    return error
  }
}

function isProblem(body: unknown): body is Problem {
  return typeof body === 'object' && body !== null && 'code' in body
}

/** The code we assume when a response carries none (a proxy's HTML 502, say). */
export function codeForStatus(status: number): string {
  switch (status) {
    case 0:
      return 'network_error'
    case 400:
      return 'malformed_request'
    case 401:
      return 'unauthenticated'
    case 403:
      return 'forbidden'
    case 404:
      return 'not_found'
    case 409:
      return 'conflict'
    case 422:
      return 'validation_failed'
    case 429:
      return 'rate_limited'
    default:
      return status >= 500 ? 'internal' : 'unknown'
  }
}

/** The slice of a vue-i18n composer this module needs (easy to fake in tests). */
export interface Translator {
  t(key: string, named?: Record<string, unknown>): string
  te(key: string): boolean
}

/** What still refers to a row, in the user's language: "账单、水电表" / "bills, meters". */
export function referencedKinds(kinds: string[], i18n: Translator): string {
  const names = kinds.map((k) => (i18n.te(`referenced.kinds.${k}`) ? i18n.t(`referenced.kinds.${k}`) : i18n.t('referenced.other')))
  const unique = [...new Set(names)]
  return unique.length ? unique.join(i18n.t('referenced.separator')) : i18n.t('referenced.other')
}

/** A sentence for the user: `errors.<code>`, else the status's usual code, else a generic line. */
export function errorMessage(error: unknown, i18n: Translator): string {
  const apiError = error instanceof ApiError ? error : ApiError.network(error)
  if (apiError.code === 'still_referenced') {
    return i18n.t('errors.still_referenced', { kinds: referencedKinds(apiError.referencedBy, i18n) })
  }
  for (const code of [apiError.code, codeForStatus(apiError.status)]) {
    const key = `errors.${code}`
    if (i18n.te(key)) return i18n.t(key)
  }
  return i18n.t('errors.generic', { status: apiError.status || '-' })
}

/**
 * Conflicts the server reports without a field, but that belong next to one in a form: the field and
 * the message key shown there (a taken name reads "already taken"; the others repeat the error).
 */
export const CODE_FIELDS: Record<string, { field: string; key: string }> = {
  username_taken: { field: 'username', key: 'fieldErrors.taken' },
  project_name_taken: { field: 'name', key: 'fieldErrors.taken' },
  building_name_taken: { field: 'name', key: 'fieldErrors.taken' },
  unit_name_taken: { field: 'name', key: 'fieldErrors.taken' },
  house_number_taken: { field: 'number', key: 'fieldErrors.taken' },
  equipment_code_taken: { field: 'code', key: 'fieldErrors.taken' },
  fee_item_code_taken: { field: 'code', key: 'fieldErrors.taken' },
  ownership_exists: { field: 'person_id', key: 'errors.ownership_exists' },
  occupancy_exists: { field: 'person_id', key: 'errors.occupancy_exists' },
}

/** Per-field messages for a form (`fieldErrors.<code>`, else a generic line), keyed by field. */
export function fieldMessages(error: unknown, i18n: Translator): Record<string, string> {
  const result: Record<string, string> = {}
  if (!(error instanceof ApiError)) return result
  const mapped = CODE_FIELDS[error.code]
  if (mapped) result[mapped.field] = i18n.t(mapped.key)
  for (const { field, code } of error.fieldErrors) {
    const key = `fieldErrors.${code}`
    result[field] = i18n.te(key) ? i18n.t(key) : i18n.t('fieldErrors.generic')
  }
  return result
}
