/**
 * What a log line may never hold: AK/SK, passwords, tokens, signatures, signed URLs. Applied to
 * every message and every detail before the logger writes it (src/main/log, the service's log),
 * so a careless `log.error('...', error)` cannot put a credential on disk.
 */
export const REDACTED = '[redacted]'

/** Field names whose value is a credential, whatever it looks like. */
const SECRET_KEY =
  /^(?:ak|sk|access|accesskey|secretkey|secret|password|passwd|pwd|token|authtoken|accesstoken|refreshtoken|idtoken|authorization|cookie|setcookie|xauthtoken|xsubjecttoken|xsecuritytoken|securitytoken|signature|sig|credentials?|apikey|privatekey|xtagdecktoken)$/

function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key.toLowerCase().replace(/[^a-z]/g, ''))
}

const KEY_WORDS =
  'ak|sk|access[_-]?key(?:[_-]?id)?|secret(?:[_-]?(?:access[_-]?)?key)?|password|passwd|pwd|token|auth[_-]?token|access[_-]?token|x-auth-token|x-subject-token|x-security-token|security[_-]?token|signature|sig|authorization|api[_-]?key|credentials?'

const TEXT_RULES: Array<[RegExp, (match: string, ...groups: string[]) => string]> = [
  // Every query value of a URL or a path: signed image URLs carry their signature and expiry there.
  [
    /((?:\b[a-z][a-z0-9+.-]*:\/\/|\/)[^\s?#"'<>]*\?)([^\s#"'<>]+)/gi,
    (_m, head: string, query: string) => head + query.replace(/=([^&]*)/g, `=${REDACTED}`)
  ],
  // The APIG signature header: `SDK-HMAC-SHA256 Access=AK, SignedHeaders=..., Signature=...`.
  [/\b(Access|Signature)=([^,\s"']+)/g, (_m, key: string) => `${key}=${REDACTED}`],
  // Bearer and token schemes.
  [
    /\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{6,}/g,
    (_m, scheme: string) => `${scheme} ${REDACTED}`
  ],
  // JSON-ish `"password": "..."` and `password=...` / `sk: ...` in free text.
  [
    new RegExp(`(["']?\\b(?:${KEY_WORDS})["']?\\s*[:=]\\s*)("[^"]*"|'[^']*'|[^\\s,;&}"']+)`, 'gi'),
    (_m, head: string) => `${head}${REDACTED}`
  ],
  // IAM tokens (PKI tokens start MII..., long base64) even without a name beside them.
  [/\bMII[A-Za-z0-9+/=_-]{40,}/g, () => REDACTED]
]

/** A string with every credential-looking part, and every secret the caller knows, replaced. */
export function redactText(text: string, secrets: Iterable<string> = []): string {
  let out = text
  for (const secret of secrets) {
    // Short values (a 1-char password) would blank out ordinary words: pattern rules cover them.
    if (secret.length >= 4) out = out.split(secret).join(REDACTED)
  }
  for (const [pattern, replace] of TEXT_RULES)
    out = out.replace(pattern, replace as (match: string, ...rest: unknown[]) => string)
  return out
}

const MAX_DEPTH = 6

/**
 * A copy of any value safe to log: errors become plain objects (name, message, stack, code,
 * status, cause and their own fields), credential-named fields are blanked, strings redacted.
 */
export function redactValue(value: unknown, secrets: Iterable<string> = []): unknown {
  const known = [...secrets]
  const seen = new WeakSet<object>()
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return redactText(v, known)
    if (v === null || typeof v !== 'object') {
      return typeof v === 'function' || typeof v === 'symbol' ? String(v) : v
    }
    if (seen.has(v)) return '[circular]'
    if (depth >= MAX_DEPTH) return '[too deep]'
    seen.add(v)
    if (Array.isArray(v)) return v.slice(0, 50).map((item) => walk(item, depth + 1))
    const out: Record<string, unknown> = {}
    if (v instanceof Error) {
      out.type = v.name
      out.message = walk(v.message, depth + 1)
      if (v.stack) out.stack = walk(v.stack, depth + 1)
      if (v.cause !== undefined) out.cause = walk(v.cause, depth + 1)
    }
    for (const [key, item] of Object.entries(v)) {
      if (key === 'cause' && v instanceof Error) continue
      out[key] = isSecretKey(key) ? REDACTED : walk(item, depth + 1)
    }
    return out
  }
  return walk(value, 0)
}
