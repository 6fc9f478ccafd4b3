import { z } from 'zod'
import { TagdeckError } from '../../shared/errors'
import { joinUrl } from './endpoints'
import type { HttpClient, PreparedRequest } from './http'
import { signRequest } from './signer'

/**
 * How a request proves who sends it: AK/SK signatures, or an IAM token from a user's password.
 * `authorize` runs for every attempt (so signatures carry a fresh date); `invalidate` runs after
 * a 401 and says whether one more try with fresh credentials can help.
 */
export interface Authorized {
  request: PreparedRequest
  /** Which credential was used, so a 401 only drops that one (not a newer one). */
  credential: string
}

export interface Authenticator {
  readonly kind: 'aksk' | 'password'
  authorize(request: PreparedRequest): Promise<Authorized>
  invalidate(credential: string): boolean
}

export class AkSkAuth implements Authenticator {
  readonly kind = 'aksk'

  constructor(
    private readonly ak: string,
    private readonly sk: string,
    private readonly now: () => number = Date.now
  ) {}

  async authorize(request: PreparedRequest): Promise<Authorized> {
    const headers = signRequest({
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body ?? '',
      ak: this.ak,
      sk: this.sk,
      date: new Date(this.now())
    })
    return { request: { ...request, headers }, credential: this.ak }
  }

  /** A signature refused once will be refused again: nothing to refresh. */
  invalidate(): boolean {
    return false
  }
}

export interface PasswordAuthOptions {
  iam: URL
  user: string
  password: string
  domain: string
  /** The token's scope: this project, or (absent) the user's domain (to look projects up). */
  projectId?: string
  http: HttpClient
  now?: () => number
}

const TokenBody = z.object({
  token: z.object({ expires_at: z.string().optional() }).optional()
})

// Tokens live 24 h; refresh well before the end so a long page load never straddles expiry.
const DEFAULT_LIFETIME_MS = 24 * 3600_000
const MIN_MARGIN_MS = 5 * 60_000

export class PasswordAuth implements Authenticator {
  readonly kind = 'password'
  private token: { value: string; refreshAt: number } | null = null
  private pending: Promise<string> | null = null
  private readonly now: () => number

  constructor(private readonly options: PasswordAuthOptions) {
    this.now = options.now ?? Date.now
  }

  async authorize(request: PreparedRequest): Promise<Authorized> {
    const token = await this.currentToken()
    return {
      request: { ...request, headers: { ...request.headers, 'X-Auth-Token': token } },
      credential: token
    }
  }

  invalidate(credential: string): boolean {
    if (this.token?.value === credential) this.token = null
    return true
  }

  /** One IAM call at a time, however many requests want a token. */
  currentToken(): Promise<string> {
    if (this.token && this.now() < this.token.refreshAt) return Promise.resolve(this.token.value)
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = null
    })
    return this.pending
  }

  private async fetchToken(): Promise<string> {
    const { iam, user, password, domain, projectId } = this.options
    const url = joinUrl(iam, '/v3/auth/tokens')
    url.searchParams.set('nocatalog', 'true')
    const body = JSON.stringify({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: user, password, domain: { name: domain } } }
        },
        scope:
          projectId === undefined ? { domain: { name: domain } } : { project: { id: projectId } }
      }
    })
    const issuedAt = this.now()
    const response = await this.options.http.send({
      peer: 'the IAM service',
      prepare: () => ({
        method: 'POST',
        url,
        headers: { 'Content-Type': 'application/json;charset=utf8' },
        body
      })
    })
    const value = response.headers.get('x-subject-token')
    if (!value) throw new TagdeckError({ code: 'auth', message: 'IAM answered without a token' })
    let expiresAt = issuedAt + DEFAULT_LIFETIME_MS
    try {
      const parsed = TokenBody.safeParse(JSON.parse(response.body.toString()))
      const at = parsed.success ? Date.parse(parsed.data.token?.expires_at ?? '') : NaN
      if (!Number.isNaN(at)) expiresAt = at
      // eslint-disable-next-line no-restricted-syntax -- a body that is not JSON costs only the default lifetime
    } catch {
      // no body: assume the documented 24 h
    }
    const lifetime = Math.max(0, expiresAt - issuedAt)
    const margin = Math.max(MIN_MARGIN_MS, lifetime / 10)
    this.token = { value, refreshAt: issuedAt + Math.max(0, lifetime - margin) }
    return value
  }
}
