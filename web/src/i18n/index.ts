// vue-i18n setup: zh-CN by default, English on request; the choice lives in localStorage
// under `linli.locale`.
//
// Messages come in two parts (see locales/zh-CN.ts): `core`, which every page may need, and
// `staff`, the console's and the staff phone pages' messages. The first load carries only the
// zh-CN core (the default language and the fallback); the router loads the staff part before
// opening a page that is not marked `meta.coreMessages` (loadStaffMessages), and English is
// fetched when it is first used (before the app mounts, if it is the stored choice).
// Element Plus and Vant follow the locale through i18n/element.ts and i18n/vant.ts, imported by the
// pages that use them, so neither library is in the other's pages.
import { createI18n } from 'vue-i18n'
import zhCNCore from '@/locales/zh-CN.core'
import type { MessageSchema } from '@/locales/zh-CN'

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
// (The schema is the whole tree; the staff part is merged in when it is loaded.)
export const i18n = createI18n({
  legacy: false,
  locale: DEFAULT_LOCALE,
  fallbackLocale: DEFAULT_LOCALE,
  messages: { [DEFAULT_LOCALE]: zhCNCore } as unknown as Record<AppLocale, MessageSchema>,
  missingWarn: import.meta.env.DEV,
  fallbackWarn: false,
})

type Part = 'core' | 'staff'
type Messages = Record<string, unknown>

const loaders: Record<AppLocale, Record<Part, () => Promise<{ default: Messages }>>> = {
  'zh-CN': {
    core: async () => ({ default: zhCNCore }),
    staff: () => import('@/locales/zh-CN.staff'),
  },
  en: {
    core: () => import('@/locales/en.core'),
    staff: () => import('@/locales/en.staff'),
  },
}

// Which parts are merged in for each language, and the loads under way.
const loaded = new Set<string>([`${DEFAULT_LOCALE}/core`])
const pending = new Map<string, Promise<void>>()
let staffWanted = false

function loadPart(locale: AppLocale, part: Part): Promise<void> {
  const id = `${locale}/${part}`
  if (loaded.has(id)) return Promise.resolve()
  let load = pending.get(id)
  if (!load) {
    load = loaders[locale][part]()
      .then((module) => {
        i18n.global.mergeLocaleMessage(locale, module.default as never)
        loaded.add(id)
      })
      .finally(() => pending.delete(id))
    pending.set(id, load)
  }
  return load
}

/** Makes sure the messages `locale` needs now are loaded (the staff part once a staff page was opened). */
export async function loadLocaleMessages(locale: AppLocale): Promise<void> {
  const parts: Part[] = staffWanted ? ['core', 'staff'] : ['core']
  const locales: AppLocale[] = locale === DEFAULT_LOCALE ? [locale] : [locale, DEFAULT_LOCALE]
  await Promise.all(locales.flatMap((l) => parts.map((p) => loadPart(l, p))))
}

/** Loads the staff pages' messages in the current language (the router calls it before such a page). */
export async function loadStaffMessages(): Promise<void> {
  staffWanted = true
  await loadLocaleMessages(currentLocale())
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
    // The messages could not be fetched (offline, a new deployment): stay in the default language.
    applyLocale(DEFAULT_LOCALE)
  }
}
