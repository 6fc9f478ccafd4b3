import { describe, expect, it } from 'vitest'
import { TagdeckError } from '../../shared/errors'
import { HttpClient, DEFAULT_POLICY, parseRetryAfter } from './http'

type Step = Response | Error

/** A fetch that plays a script and records what was asked. */
function scripted(steps: Step[]) {
  const calls: { url: string; headers: Record<string, string> }[] = []
  const fetchFn = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), headers: init?.headers as Record<string, string> })
    const step = steps.shift()
    if (!step) throw new Error('script ran out')
    if (step instanceof Error) throw step
    return step
  }) as typeof fetch
  return { fetchFn, calls }
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', 'X-Request-Id': 'req-1', ...headers }
  })
}

function client(steps: Step[], extra: { isOffline?: () => boolean } = {}) {
  const { fetchFn, calls } = scripted(steps)
  const sleeps: number[] = []
  const outcomes: boolean[] = []
  const http = new HttpClient({
    fetch: fetchFn,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 0.5,
    onOutcome: (reachable) => void outcomes.push(reachable),
    ...extra
  })
  const send = () =>
    http.send({
      peer: 'the test service',
      prepare: () => ({ method: 'GET', url: new URL('http://svc.test/x'), headers: { Host: 'h' } })
    })
  return { send, calls, sleeps, outcomes }
}

async function failure(promise: Promise<unknown>): Promise<TagdeckError> {
  try {
    await promise
  } catch (error) {
    if (error instanceof TagdeckError) return error
    throw error
  }
  throw new Error('expected a failure')
}

describe('HttpClient retries', () => {
  it('retries 503 then succeeds, with growing backoff', async () => {
    const t = client([json(503, {}), json(503, {}), json(200, { ok: 1 })])
    const response = await t.send()
    expect(JSON.parse(response.body.toString())).toEqual({ ok: 1 })
    expect(t.calls).toHaveLength(3)
    expect(t.sleeps).toEqual([300, 600])
    expect(t.calls[0]?.headers['Host']).toBeUndefined()
  })

  it('honours Retry-After on 429', async () => {
    const t = client([
      json(429, { error_code: 'APIG.0308', error_msg: 'slow down' }, { 'Retry-After': '3' }),
      json(200, {})
    ])
    await t.send()
    expect(t.sleeps).toEqual([3000])
  })

  it('gives a Retry-After beyond the cap to the caller at once', async () => {
    const t = client([
      json(429, { error_code: 'APIG.0308', error_msg: 'later' }, { 'Retry-After': '3600' })
    ])
    const error = await failure(t.send())
    expect(error.service?.retryable).toBe(true)
    expect(t.calls).toHaveLength(1)
  })

  it('never retries other 4xx, and reports them parsed', async () => {
    for (const status of [400, 401, 403, 404]) {
      const t = client([json(status, { error_code: 'ModelArts.0104', error_message: 'bad' })])
      const error = await failure(t.send())
      expect(t.calls).toHaveLength(1)
      expect(error.service).toMatchObject({
        httpStatus: status,
        errorCode: 'ModelArts.0104',
        errorMsg: 'bad',
        requestId: 'req-1',
        retryable: false
      })
    }
  })

  it('retries network errors, then fails with code network after the budget', async () => {
    const refused = new TypeError('fetch failed', {
      cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
    })
    const t = client([refused, refused, refused, refused, refused])
    const error = await failure(t.send())
    expect(error.code).toBe('network')
    expect(error.message).toMatch(/ECONNREFUSED/)
    expect(t.calls).toHaveLength(DEFAULT_POLICY.retries + 1)
    expect(t.outcomes.every((o) => o === false)).toBe(true)
  })

  it('fails fast when already known to be offline', async () => {
    const t = client([new TypeError('fetch failed'), json(200, {})], { isOffline: () => true })
    await failure(t.send())
    expect(t.calls).toHaveLength(1)
  })

  it('reports gateway 5xx answers as unreachable and others as reachable', async () => {
    const t = client([json(502, {}), json(500, {}), json(200, {})])
    await t.send()
    expect(t.outcomes).toEqual([false, true, true])
  })
})

describe('retry helpers', () => {
  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter('7', 0)).toBe(7000)
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000)
    expect(parseRetryAfter('soon', 0)).toBeNull()
    expect(parseRetryAfter(null, 0)).toBeNull()
  })
})
