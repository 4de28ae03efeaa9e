// Element Plus's built-in texts follow the app's language. Used by the pages that render
// Element Plus (the console layout, the login page, the not-found page) through
// <el-config-provider :locale="elementLocale">, so the phone pages do not load Element Plus.
import { computed } from 'vue'
import elZhCn from 'element-plus/es/locale/lang/zh-cn'
import elEn from 'element-plus/es/locale/lang/en'
import { i18n } from './index'

export const elementLocale = computed(() => (i18n.global.locale.value === 'en' ? elEn : elZhCn))
