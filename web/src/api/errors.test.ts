import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '@/locales/zh-CN'
import en from '@/locales/en'
import schemaSource from './schema.d.ts?raw'
import { ApiError, CODE_FIELDS, codeForStatus, errorMessage, fieldMessages, type Translator } from './errors'

function translator(locale: 'zh-CN' | 'en'): Translator {
  const i18n = createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, en } })
  return { t: (key, named) => i18n.global.t(key, named ?? {}), te: (key) => i18n.global.te(key) }
}

const zh = translator('zh-CN')
const english = translator('en')

describe('ApiError.fromResponse', () => {
  it('keeps the problem code and field errors', () => {
    const error = ApiError.fromResponse(422, {
      type: 'about:blank',
      title: 'Validation failed',
      status: 422,
      code: 'validation_failed',
      errors: [{ field: 'name', code: 'required' }],
    })
    expect(error.status).toBe(422)
    expect(error.code).toBe('validation_failed')
    expect(error.fieldErrors).toEqual([{ field: 'name', code: 'required' }])
  })

  it('falls back to the status when the body is not a problem', () => {
    expect(ApiError.fromResponse(502, '<html>Bad gateway</html>').code).toBe('internal')
    expect(ApiError.fromResponse(404, undefined).code).toBe('not_found')
  })
})

describe('codeForStatus', () => {
  it.each([
    [0, 'network_error'],
    [400, 'malformed_request'],
    [401, 'unauthenticated'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [409, 'conflict'],
    [422, 'validation_failed'],
    [429, 'rate_limited'],
    [500, 'internal'],
    [503, 'internal'],
    [418, 'unknown'],
  ])('%d → %s', (status, code) => {
    expect(codeForStatus(status)).toBe(code)
  })
})

describe('errorMessage', () => {
  it('translates the login failures', () => {
    expect(errorMessage(new ApiError(401, 'invalid_credentials'), zh)).toBe('用户名或密码错误')
    expect(errorMessage(new ApiError(429, 'too_many_attempts'), zh)).toBe('尝试次数过多，请稍后再试')
    expect(errorMessage(new ApiError(403, 'account_disabled'), zh)).toBe('账号已被停用，请联系管理员')
    expect(errorMessage(new ApiError(401, 'invalid_credentials'), english)).toBe('Incorrect username or password')
  })

  it('translates every code the server can send', () => {
    const codes = [
      'malformed_request', 'validation_failed', 'unauthenticated', 'invalid_credentials', 'account_disabled',
      'too_many_attempts', 'csrf_failed', 'forbidden', 'not_found', 'username_taken', 'project_name_taken',
      'grant_exists', 'cannot_disable_self', 'conflict', 'method_not_allowed', 'internal',
      'building_name_taken', 'unit_name_taken', 'house_number_taken', 'building_not_empty', 'unit_not_empty',
      'house_in_use', 'equipment_code_taken', 'ownership_exists', 'occupancy_exists',
    ]
    // …and whatever the generated schema's `Code` enum lists today.
    const generated = /\bCode: ((?:"[a-z_]+"(?: \| )?)+);/.exec(schemaSource)?.[1]?.match(/[a-z_]+/g) ?? []
    expect(generated.length).toBeGreaterThan(10)
    for (const code of [...codes, ...generated]) {
      expect(zh.te(`errors.${code}`), code).toBe(true)
      expect(english.te(`errors.${code}`), code).toBe(true)
    }
  })

  it('names what still holds a record the user tried to delete', () => {
    const error = ApiError.fromResponse(409, {
      code: 'still_referenced',
      status: 409,
      referenced_by: ['bill', 'meter'],
    })
    expect(error.referencedBy).toEqual(['bill', 'meter'])
    expect(errorMessage(error, zh)).toBe('还有账单、水电表关联此记录，不能删除')
    expect(errorMessage(error, english)).toBe('Cannot be deleted: bills, meters still refer to it')
    expect(errorMessage(new ApiError(409, 'still_referenced'), zh)).toBe('还有其他记录关联此记录，不能删除')
  })

  it('uses the status when the code is unknown', () => {
    expect(errorMessage(new ApiError(409, 'house_has_open_bills'), zh)).toBe(zh.t('errors.conflict'))
  })

  it('falls back to a generic line with the status', () => {
    expect(errorMessage(new ApiError(418, 'teapot'), english)).toBe(
      'The operation failed. Please try again later (418)',
    )
  })

  it('treats anything that is not an ApiError as a network failure', () => {
    expect(errorMessage(new TypeError('Failed to fetch'), zh)).toBe('无法连接服务器，请检查网络')
  })
})

describe('fieldMessages', () => {
  it('translates each field code, with a generic line for unknown ones', () => {
    const error = new ApiError(422, 'validation_failed', [
      { field: 'name', code: 'required' },
      { field: 'area', code: 'must_be_positive' },
      { field: 'kind', code: 'made_up' },
    ])
    expect(fieldMessages(error, zh)).toEqual({ name: '此项为必填项', area: '必须大于 0', kind: '内容不符合要求' })
  })

  it('puts a taken username or project name next to its field', () => {
    expect(fieldMessages(new ApiError(409, 'username_taken'), zh)).toEqual({ username: '已被占用' })
    expect(fieldMessages(new ApiError(409, 'project_name_taken'), english)).toEqual({ name: 'Already taken' })
  })

  it('translates the field codes of houses, people, tenure and imports', () => {
    const codes = [
      'must_be_positive', 'too_many_decimals', 'exceeds_gross_area', 'not_in_building', 'invalid_checksum',
      'invalid_birth_date', 'invalid_format', 'exceeds_total', 'before_start', 'out_of_range', 'unsupported_type',
      'not_in_project',
    ]
    for (const code of codes) {
      expect(zh.te(`fieldErrors.${code}`), code).toBe(true)
      expect(english.te(`fieldErrors.${code}`), code).toBe(true)
    }
    const error = new ApiError(422, 'validation_failed', [
      { field: 'gross_area', code: 'too_many_decimals' },
      { field: 'inner_area', code: 'exceeds_gross_area' },
      { field: 'floor', code: 'not_in_building' },
    ])
    expect(fieldMessages(error, zh)).toEqual({
      gross_area: '最多两位小数',
      inner_area: '不能大于建筑面积',
      floor: '不在该楼栋的范围内',
    })
    expect(fieldMessages(new ApiError(422, 'validation_failed', [{ field: 'id_number', code: 'invalid_checksum' }]), english)).toEqual({
      id_number: 'The check digit is wrong; please check the number',
    })
    expect(fieldMessages(new ApiError(422, 'validation_failed', [{ field: 'moved_out_on', code: 'before_start' }]), zh)).toEqual({
      moved_out_on: '不能早于开始日期',
    })
  })

  it('puts the conflicts of the basic information module next to their field', () => {
    expect(fieldMessages(new ApiError(409, 'building_name_taken'), zh)).toEqual({ name: '已被占用' })
    expect(fieldMessages(new ApiError(409, 'unit_name_taken'), zh)).toEqual({ name: '已被占用' })
    expect(fieldMessages(new ApiError(409, 'house_number_taken'), zh)).toEqual({ number: '已被占用' })
    expect(fieldMessages(new ApiError(409, 'equipment_code_taken'), english)).toEqual({ code: 'Already taken' })
    expect(fieldMessages(new ApiError(409, 'ownership_exists'), zh)).toEqual({ person_id: '此人已是该房屋的业主' })
    expect(fieldMessages(new ApiError(409, 'occupancy_exists'), zh)).toEqual({ person_id: '此人已在该房屋入住' })
    for (const { key } of Object.values(CODE_FIELDS)) {
      expect(zh.te(key), key).toBe(true)
      expect(english.te(key), key).toBe(true)
    }
  })

  it('is empty for other errors', () => {
    expect(fieldMessages(new Error('x'), zh)).toEqual({})
  })
})
