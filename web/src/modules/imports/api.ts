// Calls of the imports API, typed by the generated schema. Templates and exports are links the
// browser follows (imports.ts).
import { api, ok } from '@/api/client'
import type { ImportKind, ImportReport } from '@/api/types'

/** Imports a file of houses, persons or equipment into a project; a dry run checks and counts without saving. */
export const runImport = (kind: ImportKind, projectId: number, file: File, dryRun: boolean): Promise<ImportReport> => {
  const form = new FormData()
  form.append('file', file, file.name)
  return ok(
    api.POST('/api/v1/imports/{kind}', {
      params: { path: { kind }, query: { project_id: projectId, dry_run: dryRun } },
      // The schema describes the multipart field; the request carries the FormData itself.
      body: { file: file.name },
      bodySerializer: () => form,
    }),
  )
}
