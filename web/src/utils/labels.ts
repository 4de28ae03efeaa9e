// Translated names of enum values ("houses.states" + "vacant" → "空置"). Empty for a missing value:
// Element Plus renders table cell slots once without a row to inspect them.
import { useI18n } from 'vue-i18n'

export function useEnumLabel() {
  const { t } = useI18n()
  return (prefix: string, value: string | null | undefined): string => (value ? t(`${prefix}.${value}`) : '')
}
