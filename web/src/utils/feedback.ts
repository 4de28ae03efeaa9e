// Toasts and confirmations for the console (Element Plus services need their styles imported
// by hand: the component resolver only sees template tags).
import { ElMessage, ElMessageBox } from 'element-plus'
import 'element-plus/es/components/message/style/css'
import 'element-plus/es/components/message-box/style/css'
import { useI18n } from 'vue-i18n'
import { errorMessage, fieldMessages } from '@/api/errors'

export function toastSuccess(message: string): void {
  ElMessage({ type: 'success', message, grouping: true })
}

export function toastError(message: string): void {
  ElMessage({ type: 'error', message, grouping: true, duration: 4000 })
}

/** Translating API errors inside a component. */
export function useApiErrors() {
  const i18n = useI18n()
  const translator = { t: (key: string, named?: Record<string, unknown>) => i18n.t(key, named ?? {}), te: (key: string) => i18n.te(key) }
  return {
    message: (error: unknown) => errorMessage(error, translator),
    fields: (error: unknown) => fieldMessages(error, translator),
    toast: (error: unknown) => toastError(errorMessage(error, translator)),
  }
}

/** Resolves true when the user confirms. */
export function useConfirm() {
  const { t } = useI18n()
  return async (message: string, danger = false): Promise<boolean> => {
    try {
      await ElMessageBox.confirm(message, t('common.confirmTitle'), {
        confirmButtonText: t('common.confirm'),
        cancelButtonText: t('common.cancel'),
        type: 'warning',
        confirmButtonClass: danger ? 'el-button--danger' : undefined,
      })
      return true
    } catch {
      return false
    }
  }
}
