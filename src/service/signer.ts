import { createHash, createHmac } from 'node:crypto'

/**
 * `SDK-HMAC-SHA256` as api.md ("Authentication") defines it, from the verifier's side: every
 * piece is computed from what arrived on the wire (raw path, raw query, header values, body
 * bytes), never from the framework's decoded view of it.
 */
export const ALGORITHM = 'SDK-HMAC-SHA256'

/** RFC 3986: everything but unreserved characters is percent-encoded, as UTF-8. */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`
  )
}

function decodeOnce(segment: string): string {
  try {
    return decodeURIComponent(segment)
    // eslint-disable-next-line no-restricted-syntax -- not %-encoded: signed as written, as clients do
  } catch {
    return segment
  }
}

function withSlash(uri: string): string {
  return uri.endsWith('/') ? uri : `${uri}/`
}

/** Each segment of the raw path decoded once, then RFC 3986-encoded, with a trailing `/`. */
export function canonicalUri(rawPath: string): string {
  return withSlash(
    rawPath
      .split('/')
      .map((s) => rfc3986(decodeOnce(s)))
      .join('/')
  )
}

/**
 * The vendor's Node SDK encodes the path text it was given without decoding it first, so a
 * path that already holds `%XX` escapes canonicalizes differently there. Verifiers accept both.
 */
export function canonicalUriVariants(rawPath: string): string[] {
  const vendor = withSlash(rawPath.split('/').map(rfc3986).join('/'))
  const standard = canonicalUri(rawPath)
  return vendor === standard ? [standard] : [standard, vendor]
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Names and values decoded, RFC 3986-encoded, sorted by name then value, joined `a=b&c=d`. */
export function canonicalQuery(rawQuery: string): string {
  const pairs = [...new URLSearchParams(rawQuery).entries()].map(
    ([k, v]) => [rfc3986(k), rfc3986(v)] as const
  )
  pairs.sort(([ak, av], [bk, bv]) => (ak === bk ? compare(av, bv) : compare(ak, bk)))
  return pairs.map(([k, v]) => `${k}=${v}`).join('&')
}

/** `name:value\n` for each signed header, names lowercase and sorted, values trimmed. */
export function canonicalHeaders(headers: Record<string, string>): {
  canonical: string
  signed: string
} {
  const entries = Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v.trim()] as const)
  entries.sort(([a], [b]) => compare(a, b))
  return {
    canonical: entries.map(([k, v]) => `${k}:${v}\n`).join(''),
    signed: entries.map(([k]) => k).join(';')
  }
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex')
}

export interface CanonicalInput {
  method: string
  /** The canonical URI (see `canonicalUri`). */
  uri: string
  /** The canonical query (see `canonicalQuery`). */
  query: string
  /** Only the signed headers. */
  headers: Record<string, string>
  body: string | Buffer
}

export function canonicalRequest(input: CanonicalInput): string {
  const { canonical, signed } = canonicalHeaders(input.headers)
  return [
    input.method.toUpperCase(),
    input.uri,
    input.query,
    canonical,
    signed,
    sha256Hex(input.body)
  ].join('\n')
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`
}

export function signature(sk: string, toSign: string): string {
  return createHmac('sha256', sk).update(toSign, 'utf8').digest('hex')
}

export interface AuthorizationHeader {
  ak: string
  signedHeaders: string[]
  signature: string
}

/** `SDK-HMAC-SHA256 Access=AK, SignedHeaders=a;b, Signature=hex`, or null if it is not one. */
export function parseAuthorization(header: string): AuthorizationHeader | null {
  const match =
    /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-fA-F]{64})\s*$/.exec(
      header
    )
  if (!match) return null
  const [, ak = '', signed = '', sig = ''] = match
  return { ak, signedHeaders: signed.toLowerCase().split(';'), signature: sig.toLowerCase() }
}

/** `YYYYMMDDTHHMMSSZ` (UTC) to epoch ms, or null. */
export function parseSdkDate(value: string): number | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value)
  if (!m) return null
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number
  ]
  const ms = Date.UTC(y, mo - 1, d, h, mi, s)
  const back = new Date(ms)
  // Date.UTC rolls over (month 13, hour 25); a real date reads back the same.
  if (back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d || back.getUTCHours() !== h)
    return null
  return ms
}

export function formatSdkDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '')
}

/** The client side, for our own tests and bench: headers that sign a request to `url`. */
export function signHeaders(input: {
  method: string
  url: URL
  headers: Record<string, string>
  body: string
  ak: string
  sk: string
  date: number
}): Record<string, string> {
  const sdkDate = formatSdkDate(input.date)
  const headers = { ...input.headers, Host: input.url.host, 'X-Sdk-Date': sdkDate }
  const canonical = canonicalRequest({
    method: input.method,
    uri: canonicalUri(input.url.pathname),
    query: canonicalQuery(input.url.search),
    headers,
    body: input.body
  })
  const { signed } = canonicalHeaders(headers)
  const sig = signature(input.sk, stringToSign(sdkDate, canonical))
  return {
    ...headers,
    Authorization: `${ALGORITHM} Access=${input.ak}, SignedHeaders=${signed}, Signature=${sig}`
  }
}
