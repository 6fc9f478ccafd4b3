import { createHash, createHmac } from 'node:crypto'

/**
 * AK/SK request signing, `SDK-HMAC-SHA256` (api.md, "Authentication"). Pure: the caller gives
 * the date, so tests can pin it and retries re-sign with a fresh one.
 */
export const ALGORITHM = 'SDK-HMAC-SHA256'

export interface SignInput {
  method: string
  url: URL
  /** Headers to sign besides Host and X-Sdk-Date, e.g. Content-Type, X-Project-Id. */
  headers: Record<string, string>
  body: string
  ak: string
  sk: string
  date: Date
}

/** RFC 3986: everything but unreserved characters is percent-encoded, UTF-8. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  )
}

/** `YYYYMMDDTHHMMSSZ` in UTC. */
export function sdkDate(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data, 'utf8').digest('hex')
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment)
    // eslint-disable-next-line no-restricted-syntax -- not %-encoded: signed as written, as the service does
  } catch {
    return segment
  }
}

/** Each segment decoded once then RFC 3986-encoded, so a URL's own encoding does not matter. */
export function canonicalUri(pathname: string): string {
  const uri = pathname
    .split('/')
    .map((segment) => rfc3986(safeDecode(segment)))
    .join('/')
  return uri.endsWith('/') ? uri : `${uri}/`
}

/** Names and values encoded, sorted by name (then value for repeated names), `a=b&c=d`. */
export function canonicalQuery(params: URLSearchParams): string {
  const pairs = [...params.entries()].map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
  pairs.sort(([ak, av], [bk, bv]) => (ak === bk ? compare(av, bv) : compare(ak, bk)))
  return pairs.map(([k, v]) => `${k}=${v}`).join('&')
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

export interface CanonicalParts {
  canonicalRequest: string
  signedHeaders: string
}

export function canonicalRequest(
  method: string,
  url: URL,
  headers: Record<string, string>,
  body: string
): CanonicalParts {
  const entries = Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()] as const)
  entries.sort(([a], [b]) => compare(a, b))
  const canonicalHeaders = entries.map(([k, v]) => `${k}:${v}\n`).join('')
  const signedHeaders = entries.map(([k]) => k).join(';')
  const parts = [
    method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQuery(url.searchParams),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(body)
  ]
  return { canonicalRequest: parts.join('\n'), signedHeaders }
}

/** Returns the headers to send: the caller's, plus Host, X-Sdk-Date and Authorization. */
export function signRequest(input: SignInput): Record<string, string> {
  const date = sdkDate(input.date)
  const headers: Record<string, string> = { ...input.headers, Host: input.url.host }
  headers['X-Sdk-Date'] = date
  const { canonicalRequest: request, signedHeaders } = canonicalRequest(
    input.method,
    input.url,
    headers,
    input.body
  )
  const stringToSign = `${ALGORITHM}\n${date}\n${sha256Hex(request)}`
  const signature = createHmac('sha256', input.sk).update(stringToSign, 'utf8').digest('hex')
  headers['Authorization'] =
    `${ALGORITHM} Access=${input.ak}, SignedHeaders=${signedHeaders}, Signature=${signature}`
  return headers
}
