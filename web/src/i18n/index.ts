// vue-i18n setup: zh-CN by default, English on request; the choice lives in localStorage
// under `linli.locale`. Only the zh-CN messages (the default and the fallback) are in the first
// load; English is fetched when it is first used (before the app mounts, if it is the stored
// choice). Element Plus and Vant follow the locale through i18n/element.ts and i18n/vant.ts,
// imported by the pages that use them, so neither library is in the other's pages.
import { createI18n } from 'vue-i18n'
import zhCN, { type MessageSchema } from '@/locales/zh-CN'

export const SUPPORTED_LOCALES = ['zh-CN', 'en'] as const
export type AppLocale = (typeof SUPPORTED_LOCALES)[number]
export const DEFAULT_LOCALE: AppLocale = 'zh-CN'
export const LOCALE_STORAGE_KEY = 'linli.locale'

export function isAppLocale(value: unknown): value is AppLocale {
  return typeof value === 'string' && (SUPPORTED_LOCALES as readonly string[]).includes(value)
}

function storedLocale(): AppLocale {
  try {
    const value = globalThis.localStorage?.getItem(LOCALE_STORAGE_KEY)
    return isAppLocale(value) ? value : DEFAULT_LOCALE
  } catch {
    return DEFAULT_LOCALE
  }
}

// Starts in the default language; main.ts switches to the stored one (loading it) before mounting.
export const i18n = createI18n({
  legacy: false,
  locale: DEFAULT_LOCALE,
  fallbackLocale: DEFAULT_LOCALE,
  messages: { 'zh-CN': zhCN } as Record<AppLocale, MessageSchema>,
  missingWarn: import.meta.env.DEV,
  fallbackWarn: false,
})

const loaders: Record<AppLocale, () => Promise<{ default: MessageSchema }>> = {
  'zh-CN': async () => ({ default: zhCN }),
  en: () => import('@/locales/en'),
}

/** Makes sure the messages of `locale` are loaded. */
export async function loadLocaleMessages(locale: AppLocale): Promise<void> {
  if (i18n.global.availableLocales.includes(locale)) return
  const messages = (await loaders[locale]()).default
  i18n.global.setLocaleMessage(locale, messages)
}

export function currentLocale(): AppLocale {
  return i18n.global.locale.value as AppLocale
}

function applyLocale(locale: AppLocale): void {
  i18n.global.locale.value = locale
  if (typeof document !== 'undefined') document.documentElement.lang = locale
}

/**
 * Switches the language (loading its messages first) and remembers the choice. If the messages
 * cannot be fetched (offline, a new deployment), the language stays as it was.
 */
export async function setLocale(locale: AppLocale): Promise<void> {
  try {
    await loadLocaleMessages(locale)
  } catch {
    return
  }
  applyLocale(locale)
  try {
    globalThis.localStorage?.setItem(LOCALE_STORAGE_KEY, locale)
  } catch {
    // Private mode or storage disabled: the choice lasts for this page only.
  }
}

/** The stored language, loaded and applied (main.ts awaits it before mounting the app). */
export async function restoreLocale(): Promise<void> {
  const locale = storedLocale()
  try {
    await loadLocaleMessages(locale)
    applyLocale(locale)
  } catch {
    // The messages could not be fetched (offline, new deployment): stay in the default language.
    applyLocale(DEFAULT_LOCALE)
  }
}
