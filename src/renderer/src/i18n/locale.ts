/** The languages Tagdeck speaks, and which one a user gets before choosing. */
export const LOCALES = ['en', 'zh-CN'] as const
export type Locale = (typeof LOCALES)[number]

export const STORAGE_KEY = 'tagdeck.locale'

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value)
}

/**
 * The first of the user's preferred languages we speak: any Chinese becomes Simplified Chinese
 * (the only Chinese we have), any English becomes English; English when nothing matches.
 */
export function matchLocale(preferred: readonly string[]): Locale {
  for (const tag of preferred) {
    const lower = tag.toLowerCase()
    if (lower === 'zh' || lower.startsWith('zh-') || lower.startsWith('zh_')) return 'zh-CN'
    if (lower === 'en' || lower.startsWith('en-') || lower.startsWith('en_')) return 'en'
  }
  return 'en'
}

/** A remembered choice wins; on first run, the browser's (in Electron: the OS's) languages. */
export function initialLocale(stored: string | null, preferred: readonly string[]): Locale {
  return isLocale(stored) ? stored : matchLocale(preferred)
}
