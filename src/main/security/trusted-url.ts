/**
 * URL judgements for the window: always by parsing, never by string prefix.
 */

function parse(raw: unknown): URL | null {
  if (typeof raw !== 'string' || raw.length > 4096) return null
  try {
    return new URL(raw)
    // eslint-disable-next-line no-restricted-syntax -- not a URL: untrusted, which null says
  } catch {
    return null
  }
}

/**
 * Links we may hand to the OS browser: plain http(s) to a named host, no embedded credentials
 * (`https://bank.com@evil.com` reads as bank.com to a hurried eye). Null for anything else.
 */
export function parseExternalUrl(raw: unknown): URL | null {
  const url = parse(raw)
  if (!url) return null
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null
  if (url.username || url.password) return null
  if (!url.hostname) return null
  return url
}

export function isSafeExternalUrl(raw: unknown): boolean {
  return parseExternalUrl(raw) !== null
}

/** Scheme and host of a URL for a log line: its path or query may carry a token. */
export function describeUrl(raw: unknown): string {
  if (typeof raw !== 'string') return `a ${typeof raw}`
  const url = parse(raw)
  if (!url) return 'an unparsable URL'
  return url.host ? `${url.protocol}//${url.host}` : url.protocol
}

/**
 * scheme://host[:port] of a URL. Node's URL gives non-special schemes (our app://) the origin
 * "null", while Chromium treats registered standard schemes as real origins: compute it ourselves.
 */
function originOf(url: URL): string | null {
  if (!url.host || url.username || url.password) return null
  return `${url.protocol}//${url.host}`
}

/** The origins whose pages may call IPC and navigate: our app scheme, or the dev server. */
export function makeOriginCheck(allowed: readonly string[]): (origin: string) => boolean {
  const set = new Set(
    allowed.map((raw) => {
      const url = parse(raw)
      const origin = url && originOf(url)
      if (!origin) throw new Error(`Not an origin: ${raw}`)
      return origin
    })
  )
  return (candidate) => {
    const url = parse(candidate)
    const origin = url && originOf(url)
    return origin !== null && set.has(origin)
  }
}

export const APP_SCHEME = 'app'
export const APP_HOST = 'tagdeck'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`
export const IMAGE_SCHEME = 'tagdeck-img'
