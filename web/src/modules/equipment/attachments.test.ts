import { describe, expect, it } from 'vitest'
import { formatBytes, uploadErrorCode } from './attachments'

describe('formatBytes', () => {
  it('picks a readable unit', () => {
    expect(formatBytes(0)).toBe('0 B')
    expect(formatBytes(1536)).toBe('1.5 KB')
    expect(formatBytes(5 * 1024 * 1024)).toBe('5.0 MB')
    expect(formatBytes(null)).toBe('')
  })
})

describe('uploadErrorCode', () => {
  it('reads the problem code from the response body el-upload puts in the message', () => {
    expect(uploadErrorCode(new Error('{"code":"validation_failed","errors":[{"field":"file","code":"unsupported_type"}]}'))).toBe(
      'unsupported_type',
    )
    expect(uploadErrorCode(new Error('{"code":"forbidden"}'))).toBe('forbidden')
    expect(uploadErrorCode(new Error('<html>502</html>'))).toBeNull()
    expect(uploadErrorCode(null)).toBeNull()
  })
})
