import i18next, { type i18n as I18n } from 'i18next'
import { initReactI18next } from 'react-i18next'
import en from '../../../shared/locales/en.json'
import zhCN from '../../../shared/locales/zh-CN.json'
import { call } from '../platform'
import { log } from '../log'
import { formatBytes, formatCount, formatSpeed } from './format'
import { STORAGE_KEY, initialLocale, type Locale } from './locale'

export type { Locale }
export { LOCALES } from './locale'

function stored(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY)
    // eslint-disable-next-line no-restricted-syntax -- storage refused (private mode): the OS locale is used
  } catch {
    return null
  }
}

/** Tells main, so menus and native dialogs speak the same language. Best effort. */
function tellMain(locale: Locale): void {
  call('app.setLocale', { locale }).catch((error: unknown) =>
    log.warn('main was not told the language (menus keep the old one)', error)
  )
}

export const i18n: I18n = i18next.createInstance()

void i18n.use(initReactI18next).init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: initialLocale(stored(), navigator.languages ?? [navigator.language]),
  fallbackLng: 'en',
  supportedLngs: ['en', 'zh-CN'],
  // Resources are bundled: initialise synchronously so the first render is translated.
  initAsync: false,
  // React escapes what it renders.
  interpolation: { escapeValue: false },
  returnNull: false
})

// i18next's own `number` makes an Intl.NumberFormat per call; ours keeps one per locale.
i18n.services.formatter?.add('number', (value: number, lng) => formatCount(value, lng ?? 'en'))
i18n.services.formatter?.add('bytes', (value: number, lng) => formatBytes(value, lng ?? 'en'))
i18n.services.formatter?.add('speed', (value: number, lng) => formatSpeed(value, lng ?? 'en'))

export function currentLocale(): Locale {
  return i18n.language === 'zh-CN' ? 'zh-CN' : 'en'
}

function reflect(locale: Locale): void {
  document.documentElement.lang = locale
}

reflect(currentLocale())
tellMain(currentLocale())

/** Switches the UI language, remembers it, and tells main. */
export async function setLocale(locale: Locale): Promise<void> {
  await i18n.changeLanguage(locale)
  try {
    localStorage.setItem(STORAGE_KEY, locale)
    // eslint-disable-next-line no-restricted-syntax -- private mode: the choice lasts this session, as said below
  } catch {
    // Private mode: the choice lasts for this session.
  }
  reflect(locale)
  tellMain(locale)
}
