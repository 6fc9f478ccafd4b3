import i18next, { type i18n as I18n } from 'i18next'
import en from '../../shared/locales/en.json'
import zhCN from '../../shared/locales/zh-CN.json'

/**
 * Texts main shows itself (menus, the quit warning, native dialogs), from the renderer's own
 * locale files, so both processes speak the language the user chose (`app.setLocale`).
 */
export type MainLocale = 'en' | 'zh-CN'

type Leaves<T, P extends string = ''> = {
  [K in keyof T & string]: T[K] extends string ? `${P}${K}` : Leaves<T[K], `${P}${K}.`>
}[keyof T & string]
type WithoutPlural<K extends string> =
  K extends `${infer B}_${'zero' | 'one' | 'two' | 'few' | 'many' | 'other'}` ? B : K

/** Every key under `main` in en.json, plural keys by their base name (pass `count`). */
export type MainKey = WithoutPlural<Leaves<(typeof en)['main'], 'main.'>>

const instance: I18n = i18next.createInstance()
void instance.init({
  resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: ['en', 'zh-CN'],
  initAsync: false,
  interpolation: { escapeValue: false }
})

export function mainText(
  locale: MainLocale,
  key: MainKey,
  vars: Record<string, string | number> = {}
): string {
  return instance.getFixedT(locale)(key, vars)
}

/** Picks ours from an OS locale such as `zh-CN`, `zh_TW` or `en-US` (Electron's app.getLocale()). */
export function mainLocaleFrom(osLocale: string | undefined): MainLocale {
  return osLocale?.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en'
}
