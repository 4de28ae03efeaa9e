// Vant's built-in texts follow the app's language. Imported (for this effect) by the phone pages'
// top-level components (the resident and staff shells, the equipment page), so the console does
// not load Vant.
import { watch } from 'vue'
import { Locale } from 'vant'
import vantZhCN from 'vant/es/locale/lang/zh-CN'
import vantEnUS from 'vant/es/locale/lang/en-US'
import { i18n, type AppLocale } from './index'

const vantMessages = { 'zh-CN': ['zh-CN', vantZhCN], en: ['en-US', vantEnUS] } as const

watch(
  () => i18n.global.locale.value as AppLocale,
  (locale) => {
    const [name, messages] = vantMessages[locale] ?? vantMessages['zh-CN']
    Locale.use(name, messages)
  },
  { immediate: true },
)
