import { describe, expect, it } from 'vitest'
import { createI18n } from 'vue-i18n'
import zhCN from '@/locales/zh-CN'
import en from '@/locales/en'
import type { Translator } from '@/api/errors'
import { exportUrl, isAcceptedFile, rowProblem, templateUrl } from './imports'

function translator(locale: 'zh-CN' | 'en'): Translator {
  const i18n = createI18n({ legacy: false, locale, messages: { 'zh-CN': zhCN, en } })
  return { t: (key, named) => i18n.global.t(key, named ?? {}), te: (key) => i18n.global.te(key) }
}

describe('import and export links', () => {
  it('points at the templates and exports', () => {
    expect(templateUrl('houses', 'csv')).toBe('/api/v1/imports/houses/template?format=csv')
    expect(templateUrl('persons', 'xlsx')).toBe('/api/v1/imports/persons/template?format=xlsx')
    expect(templateUrl('equipment', 'csv')).toBe('/api/v1/imports/equipment/template?format=csv')
    expect(exportUrl('equipment', { project_id: 1, state: 'faulty', due_before: '2026-12-31' })).toBe(
      '/api/v1/equipment/export?project_id=1&state=faulty&due_before=2026-12-31',
    )
    expect(exportUrl('houses', { project_id: 1, building_id: 3, state: '', q: undefined, page: 2, page_size: 20 })).toBe(
      '/api/v1/houses/export?project_id=1&building_id=3',
    )
    expect(exportUrl('persons', { project_id: 2, q: '张' })).toBe('/api/v1/persons/export?project_id=2&q=%E5%BC%A0')
  })

  it('takes spreadsheets only', () => {
    expect(isAcceptedFile('房屋.xlsx')).toBe(true)
    expect(isAcceptedFile('houses.CSV')).toBe(true)
    expect(isAcceptedFile('houses.xls')).toBe(false)
    expect(isAcceptedFile('notes.txt')).toBe(false)
  })
})

describe('rowProblem', () => {
  const zh = translator('zh-CN')
  it('translates known codes, field codes first', () => {
    expect(rowProblem({ code: 'must_be_positive' }, zh)).toBe('必须大于 0')
    expect(rowProblem({ code: 'house_number_taken' }, zh)).toBe('该单元已有相同房号的房屋')
    expect(rowProblem({ code: 'not_in_project' }, translator('en'))).toBe('Not in the current project')
  })

  it('translates every code the house and person imports report', () => {
    const codes = [
      'missing_column', 'required', 'invalid', 'unknown_value', 'too_long', 'invalid_date', 'duplicate_in_file',
      'house_not_found', 'not_in_building', 'exceeds_total', 'exceeds_gross_area', 'must_be_positive',
      'too_many_decimals', 'out_of_range', 'invalid_checksum', 'invalid_birth_date', 'invalid_format', 'id_type_mismatch',
    ]
    for (const locale of ['zh-CN', 'en'] as const) {
      const i18n = translator(locale)
      for (const code of codes) expect(rowProblem({ code }, i18n), `${locale} ${code}`).not.toBe(i18n.t('fieldErrors.generic'))
    }
  })

  it('has a generic line for a code it does not know', () => {
    expect(rowProblem({ code: 'mystery' }, zh)).toBe('内容不符合要求')
  })
})
