/**
 * URL judgements for the window: always by parsing, never by string prefix.
 */

function parse(raw: unknown): URL | null {
  if (typeof raw !== 'string' || raw.length > 4096) return null
  try {
    return new URL(raw)
  } catch {
    return null
  }
}

/** Links we hand to the OS browser: plain http(s) to a named host, no embedded credentials. */
export function isSafeExternalUrl(raw: unknown): boolean {
  const url = parse(raw)
  if (!url) return false
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return false
  if (url.username || url.password) return false
  if (!url.hostname) return false
  return true
}

/** The origins whose pages may call IPC and navigate: our app scheme, or the dev server. */
export function makeOriginCheck(allowed: readonly string[]): (origin: string) => boolean {
  const set = new Set(allowed.map((o) => new URL(o).origin))
  return (origin) => {
    const url = parse(origin)
    return url !== null && url.origin !== 'null' && set.has(url.origin)
  }
}

export const APP_SCHEME = 'app'
export const APP_HOST = 'tagdeck'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const IMAGE_SCHEME = 'tagdeck-img'
