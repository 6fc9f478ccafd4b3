import { timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'
import { CODES, projectMismatch, unauthorized } from './errors'
import type { Credentials } from './credentials'
import type { ServedHosts } from './served-hosts'
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUriVariants,
  parseAuthorization,
  parseSdkDate,
  signature,
  stringToSign
} from './signer'

/**
 * Who sent a request: an AK/SK signature (`SDK-HMAC-SHA256`, api.md) or an IAM token in
 * `X-Auth-Token`. Each refusal says what was wrong, as the cloud's gateway does.
 */
export const MAX_CLOCK_SKEW_MS = 15 * 60_000

export interface Principal {
  /** Empty for a token scoped to a domain. */
  projectId: string
  /** The account (IAM domain) the credential belongs to. */
  domain: string
  via: 'aksk' | 'token'
}

/** What checking a credential needs: the keys and tokens, the clock, the hosts we answer to. */
export interface Verifier {
  credentials: Credentials
  now: number
  hosts: ServedHosts
}

export interface SignedRequest {
  method: string
  /** The request target exactly as received: raw path and query. */
  rawUrl: string
  headers: IncomingHttpHeaders
  body: Buffer
}

const refuse = (message: string) => unauthorized(CODES.badSignature, message)

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name]
  return Array.isArray(value) ? value.join(',') : value
}

function splitTarget(rawUrl: string): { path: string; query: string } {
  // An absolute-form target (`GET http://host/path`) signs its path like any other.
  const target = /^https?:\/\//i.test(rawUrl) ? rawUrl.replace(/^https?:\/\/[^/]*/i, '') : rawUrl
  const at = target.indexOf('?')
  return at < 0
    ? { path: target, query: '' }
    : { path: target.slice(0, at), query: target.slice(at + 1) }
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex')
  const y = Buffer.from(b, 'hex')
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y)
}

export function verifySignature(request: SignedRequest, verifier: Verifier): Principal {
  const { credentials, now } = verifier
  const auth = parseAuthorization(header(request.headers, 'authorization') ?? '')
  if (!auth)
    throw refuse(
      'Malformed Authorization header: expected SDK-HMAC-SHA256 Access=..., SignedHeaders=..., Signature=...'
    )
  const key = credentials.accessKey(auth.ak)
  if (!key) throw refuse(`Unknown access key ${auth.ak}`)
  for (const required of ['host', 'x-sdk-date'])
    if (!auth.signedHeaders.includes(required))
      throw refuse(`SignedHeaders must include ${required}`)
  const sdkDate = header(request.headers, 'x-sdk-date') ?? ''
  const date = parseSdkDate(sdkDate)
  if (date === null) throw refuse('X-Sdk-Date must be YYYYMMDDTHHMMSSZ (UTC)')
  if (Math.abs(now - date) > MAX_CLOCK_SKEW_MS)
    throw refuse('X-Sdk-Date is more than 15 minutes away from the service clock')
  const signed: Record<string, string> = {}
  for (const name of auth.signedHeaders) {
    const value = header(request.headers, name)
    if (value === undefined) throw refuse(`Signed header ${name} is missing from the request`)
    signed[name] = value
  }
  const { path, query } = splitTarget(request.rawUrl)
  const canonicalQ = canonicalQuery(query)
  const ok = canonicalUriVariants(path).some((uri) => {
    const canonical = canonicalRequest({
      method: request.method,
      uri,
      query: canonicalQ,
      headers: signed,
      body: request.body
    })
    return sameHex(signature(key.sk, stringToSign(sdkDate, canonical)), auth.signature)
  })
  if (!ok) throw refuse('The request signature does not match (check the SK, the body and the URL)')
  // A genuine signature for another server's host is a request captured there: not ours to run.
  const host = signed.host ?? ''
  if (!verifier.hosts.accepts(host))
    throw refuse(
      `The request was signed for host ${host}, which is not a host this service answers to ` +
        `(${verifier.hosts.describe()}); sign it for the address you reach the service by`
    )
  const domain = verifier.credentials.project(key.projectId)?.domain ?? ''
  return { projectId: key.projectId, domain, via: 'aksk' }
}

export function verifyToken(value: string, { credentials, now }: Verifier): Principal {
  const record = credentials.token(value)
  if (!record) throw unauthorized(CODES.tokenInvalid, 'The token is not valid')
  if (record.expiresAt <= now) throw unauthorized(CODES.tokenExpired, 'The token has expired')
  return { projectId: record.projectId, domain: record.domain, via: 'token' }
}

/** The caller (an AK/SK signature or a token), or a 401. */
export function identify(request: SignedRequest, verifier: Verifier): Principal {
  const authorization = header(request.headers, 'authorization')
  const token = header(request.headers, 'x-auth-token')
  if (authorization?.startsWith('SDK-HMAC-SHA256')) return verifySignature(request, verifier)
  if (token) return verifyToken(token, verifier)
  if (authorization) throw refuse('Unsupported Authorization scheme: use SDK-HMAC-SHA256')
  throw refuse('No credentials: sign the request (SDK-HMAC-SHA256) or send X-Auth-Token')
}

/** The caller, or a 401; then the project in the path must be the credential's (403). */
export function authenticate(
  request: SignedRequest,
  verifier: Verifier,
  pathProject: string
): Principal {
  const principal = identify(request, verifier)
  const headerProject = header(request.headers, 'x-project-id')
  if (pathProject !== principal.projectId) throw projectMismatch(pathProject)
  if (headerProject !== undefined && headerProject !== principal.projectId)
    throw projectMismatch(headerProject)
  return principal
}
