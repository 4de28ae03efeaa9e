// A Vant notify bar whenever an in-app message arrives live (the resident and staff H5 shells).
import { onBeforeUnmount } from 'vue'
import { useI18n } from 'vue-i18n'
import { showNotify } from 'vant'
import 'vant/es/notify/style'
import { useInboxStore } from '@/stores/inbox'

export function useLiveNotify(): void {
  const { t } = useI18n()
  const inbox = useInboxStore()
  const unsubscribe = inbox.onArrival((m) => {
    showNotify({
      type: 'primary',
      message: `${t('notifications.inbox.newMessage')}: ${m.subject}`,
      duration: 4000,
      className: 'm-live-notify',
    })
  })
  onBeforeUnmount(unsubscribe)
}
