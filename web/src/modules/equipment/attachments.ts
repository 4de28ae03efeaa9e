// Attachment links, sizes and the error code of a failed upload.

export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024

export function attachmentUrl(id: number): string {
  return `/api/v1/attachments/${id}`
}

/** 0 → "0 B", 1536 → "1.5 KB", 5_242_880 → "5.0 MB"; nothing for an unknown size. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes) || bytes < 0) return ''
  if (bytes < 1024) return `${bytes} B`
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`
}

/**
 * el-upload reports a failed upload as an Error whose message is the response body: the problem's
 * `code` (or the first field error's code) when the server sent problem+json.
 */
export function uploadErrorCode(error: { message?: string } | null | undefined): string | null {
  try {
    const body = JSON.parse(error?.message ?? '') as { code?: unknown; errors?: { code?: unknown }[] }
    const fieldCode = body.errors?.[0]?.code
    if (typeof fieldCode === 'string') return fieldCode
    return typeof body.code === 'string' ? body.code : null
  } catch {
    return null
  }
}
