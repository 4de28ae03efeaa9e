// Import templates, exports and the row problems of an import report.
import type { ImportKind, ImportRowError } from '@/api/types'
import type { Translator } from '@/api/errors'
import { withQuery } from '@/utils/url'

export type TemplateFormat = 'xlsx' | 'csv'
export const ACCEPTED_FILES = '.xlsx,.csv'

export function templateUrl(kind: ImportKind, format: TemplateFormat): string {
  return withQuery(`/api/v1/imports/${kind}/template`, { format })
}

/** The XLSX export of a list, with the list's filters (paging left out). */
export function exportUrl(kind: ImportKind, filters: Record<string, string | number | null | undefined>): string {
  const query = { ...filters }
  delete query.page
  delete query.page_size
  return withQuery(`/api/v1/${kind}/export`, query)
}

/** Only spreadsheets go to the server. */
export function isAcceptedFile(name: string): boolean {
  return /\.(xlsx|csv)$/i.test(name.trim())
}

/** What is wrong with a row, in the user's language (a generic line for a code we do not know). */
export function rowProblem(error: Pick<ImportRowError, 'code'>, i18n: Translator): string {
  for (const key of [`fieldErrors.${error.code}`, `errors.${error.code}`]) {
    if (error.code !== 'generic' && i18n.te(key)) return i18n.t(key)
  }
  return i18n.t('fieldErrors.generic')
}
