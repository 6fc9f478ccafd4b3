import { TagdeckError } from '../../shared/errors'
import { isRetryableStatus, networkError, parseServiceError } from './errors'
import { backoffDelay } from '../../shared/backoff'

/**
 * HTTP with the manners a cloud API expects: a timeout per attempt, and retries with
 * exponential backoff and jitter on network errors, 429 (honouring Retry-After) and 5xx, never
 * on other 4xx. Each attempt re-runs `prepare`, so signatures and tokens are always fresh.
 */
export interface RetryPolicy {
  retries: number
  baseDelayMs: number
  maxDelayMs: number
  timeoutMs: number
  /** A Retry-After longer than this is not waited for: the error goes to the caller. */
  maxRetryAfterMs: number
}

export const DEFAULT_POLICY: RetryPolicy = {
  retries: 3,
  baseDelayMs: 400,
  maxDelayMs: 8_000,
  timeoutMs: 20_000,
  maxRetryAfterMs: 30_000
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>

/** Response headers, looked up by name. */
export interface HeaderLookup {
  get(name: string): string | null
}

/** The part of a fetch Response that `HttpClient` reads. */
export interface FetchAnswer {
  status: number
  headers: HeaderLookup
  body?: { cancel(): Promise<void> } | null
  arrayBuffer(): Promise<ArrayBuffer>
  /** The body as a Buffer without another copy, where the transport has one. */
  buffer?(): Promise<Buffer>
}

export interface FetchInit {
  method: string
  headers: Record<string, string>
  body?: string
  signal: AbortSignal
  redirect: 'follow' | 'error'
}

/** The part of `fetch` that `HttpClient` calls: global fetch fits. */
export type FetchLike = (url: URL, init: FetchInit) => Promise<FetchAnswer>

/**
 * A transport that keeps each attempt's deadline itself (one timer) instead of taking it as a
 * signal: `AbortSignal.timeout` and `AbortSignal.any` per request cost more CPU than a
 * thumbnail from a local service (`undiciFetch` is one). `signal` is the caller's, if any.
 */
export interface TimedFetch {
  (
    url: URL,
    init: Omit<FetchInit, 'signal'> & { signal?: AbortSignal; timeoutMs: number }
  ): Promise<FetchAnswer>
  readonly timed: true
}

const isTimed = (fetch: FetchLike | TimedFetch): fetch is TimedFetch =>
  (fetch as Partial<TimedFetch>).timed === true

export interface HttpDeps {
  fetch: FetchLike | TimedFetch
  sleep: Sleep
  random: () => number
  /** Every attempt's outcome: true when an HTTP answer came back from the service. */
  onOutcome?: (reachable: boolean, error: TagdeckError | null) => void
  /** When main already knows the service is unreachable, fail fast instead of retrying. */
  isOffline?: () => boolean
}

export interface PreparedRequest {
  method: string
  url: URL
  headers: Record<string, string>
  body?: string
}

export interface HttpResponse {
  status: number
  headers: HeaderLookup
  body: Buffer
}

export interface RequestSpec {
  /** Names the peer in error messages, e.g. "the ModelArts service". */
  peer: string
  prepare: () => Promise<PreparedRequest> | PreparedRequest
  signal?: AbortSignal
  policy?: Partial<RetryPolicy>
  /** Largest body accepted; bigger answers fail without being read to the end. */
  maxBytes?: number
  /** Only for requests that carry no credentials (image sources): never leak auth headers. */
  followRedirects?: boolean
}

export const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })

/** Seconds or an HTTP date, in ms from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | null {
  if (!value) return null
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? null : Math.max(0, at - now)
}

// A gateway answering that it cannot reach the service is as good as no answer.
const UNREACHABLE_STATUSES = new Set([502, 504])

export class HttpClient {
  private readonly deps: HttpDeps

  constructor(
    deps: Partial<HttpDeps> = {},
    private readonly policy: RetryPolicy = DEFAULT_POLICY
  ) {
    this.deps = {
      fetch: deps.fetch ?? ((input: URL, init: FetchInit) => fetch(input, init)),
      sleep: deps.sleep ?? realSleep,
      random: deps.random ?? Math.random,
      onOutcome: deps.onOutcome,
      isOffline: deps.isOffline
    }
  }

  /** Resolves with a 2xx answer; anything else becomes a TagdeckError after the retries. */
  async send(spec: RequestSpec): Promise<HttpResponse> {
    const policy = { ...this.policy, ...spec.policy }
    const retries = this.deps.isOffline?.() ? 0 : policy.retries
    for (let attempt = 0; ; attempt++) {
      let error: TagdeckError
      let retryAfter: number | null = null
      // Outside the try: a failure to sign or to get a token is not this request's to retry.
      const request = await spec.prepare()
      try {
        const response = await this.attempt(request, spec, policy)
        this.deps.onOutcome?.(!UNREACHABLE_STATUSES.has(response.status), null)
        if (response.status >= 200 && response.status < 300) return response
        error = parseServiceError(response.status, response.headers, response.body.toString())
        if (!isRetryableStatus(response.status)) throw error
        retryAfter = parseRetryAfter(response.headers.get('retry-after'), Date.now())
      } catch (caught) {
        if (spec.signal?.aborted) throw spec.signal.reason
        if (caught instanceof TagdeckError) {
          if (!caught.service?.retryable && caught.code !== 'network') throw caught
          error = caught
        } else {
          error = networkError(caught, spec.peer)
          this.deps.onOutcome?.(false, error)
        }
      }
      if (attempt >= retries) throw error
      if (retryAfter !== null && retryAfter > policy.maxRetryAfterMs) throw error
      const delay = Math.max(
        retryAfter ?? 0,
        backoffDelay(attempt + 1, this.deps.random, {
          baseMs: policy.baseDelayMs,
          maxMs: policy.maxDelayMs
        })
      )
      await this.deps.sleep(delay, spec.signal)
    }
  }

  private async attempt(
    request: PreparedRequest,
    spec: RequestSpec,
    policy: RetryPolicy
  ): Promise<HttpResponse> {
    // fetch sets Host itself from the URL, which is the value we signed.
    const headers: Record<string, string> = {}
    for (const name in request.headers)
      if (name.toLowerCase() !== 'host') headers[name] = request.headers[name]
    const init = {
      method: request.method,
      headers,
      body: request.body,
      redirect: spec.followRedirects ? ('follow' as const) : ('error' as const)
    }
    const { fetch } = this.deps
    let response: FetchAnswer
    if (isTimed(fetch)) {
      response = await fetch(request.url, {
        ...init,
        signal: spec.signal,
        timeoutMs: policy.timeoutMs
      })
    } else {
      const timeout = AbortSignal.timeout(policy.timeoutMs)
      const signal = spec.signal ? AbortSignal.any([spec.signal, timeout]) : timeout
      response = await fetch(request.url, { ...init, signal })
    }
    const body = await readBody(response, spec.maxBytes ?? 64 * 1024 * 1024)
    return { status: response.status, headers: response.headers, body }
  }
}

async function readBody(response: FetchAnswer, maxBytes: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? '0')
  if (declared > maxBytes) {
    await response.body?.cancel()
    throw new TagdeckError({ code: 'service', message: `Answer too large (${declared} bytes)` })
  }
  const buffer = response.buffer
    ? await response.buffer()
    : Buffer.from(await response.arrayBuffer())
  if (buffer.length > maxBytes)
    throw new TagdeckError({
      code: 'service',
      message: `Answer too large (${buffer.length} bytes)`
    })
  return buffer
}
