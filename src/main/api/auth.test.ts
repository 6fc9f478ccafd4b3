import { describe, expect, it } from 'vitest'
import { AkSkAuth, PasswordAuth } from './auth'
import { HttpClient } from './http'

function iam(expiresInMs: number | null, clock: { now: number }) {
  const bodies: unknown[] = []
  let issued = 0
  const fetchFn = (async (_url: string | URL | Request, init?: RequestInit) => {
    bodies.push(JSON.parse(String(init?.body)))
    issued++
    const token =
      expiresInMs === null
        ? {}
        : { token: { expires_at: new Date(clock.now + expiresInMs).toISOString() } }
    return new Response(JSON.stringify(token), {
      status: 201,
      headers: { 'X-Subject-Token': `token-${issued}` }
    })
  }) as typeof fetch
  return { http: new HttpClient({ fetch: fetchFn }), bodies, issued: () => issued }
}

const request = { method: 'GET', url: new URL('https://m.example/v2/p/datasets'), headers: {} }

describe('PasswordAuth', () => {
  it('asks IAM once for many concurrent requests and caches the token', async () => {
    const clock = { now: 1_000_000 }
    const server = iam(24 * 3600_000, clock)
    const auth = new PasswordAuth({
      iam: new URL('https://iam.example'),
      user: 'alice',
      password: 'pw',
      domain: 'acme',
      projectId: 'p'.repeat(32),
      http: server.http,
      now: () => clock.now
    })
    const results = await Promise.all([1, 2, 3].map(() => auth.authorize(request)))
    expect(results.map((r) => r.request.headers['X-Auth-Token'])).toEqual([
      'token-1',
      'token-1',
      'token-1'
    ])
    expect(server.issued()).toBe(1)
    expect(server.bodies[0]).toEqual({
      auth: {
        identity: {
          methods: ['password'],
          password: { user: { name: 'alice', password: 'pw', domain: { name: 'acme' } } }
        },
        scope: { project: { id: 'p'.repeat(32) } }
      }
    })
    clock.now += 20 * 3600_000
    await auth.authorize(request)
    expect(server.issued()).toBe(1)
    clock.now += 2 * 3600_000 // within the last tenth of its life: refresh early
    expect((await auth.authorize(request)).credential).toBe('token-2')
  })

  it('refreshes a short-lived token before it expires, and only drops the token that failed', async () => {
    const clock = { now: 0 }
    const server = iam(3600_000, clock)
    const auth = new PasswordAuth({
      iam: new URL('https://iam.example'),
      user: 'u',
      password: 'p',
      domain: 'd',
      projectId: 'x',
      http: server.http,
      now: () => clock.now
    })
    await auth.authorize(request)
    clock.now += 53 * 60_000
    expect((await auth.authorize(request)).credential).toBe('token-1')
    clock.now += 2 * 60_000 // 55 min of 60: inside the 6 min margin
    expect((await auth.authorize(request)).credential).toBe('token-2')
    expect(auth.invalidate('token-1')).toBe(true)
    expect((await auth.authorize(request)).credential).toBe('token-2')
    auth.invalidate('token-2')
    expect((await auth.authorize(request)).credential).toBe('token-3')
  })
})

describe('AkSkAuth', () => {
  it('signs every attempt with the current time and never offers a refresh', async () => {
    let now = Date.UTC(2024, 0, 1, 0, 0, 0)
    const auth = new AkSkAuth('AK', 'SK', () => now)
    const first = await auth.authorize(request)
    now += 1000
    const second = await auth.authorize(request)
    expect(first.request.headers['X-Sdk-Date']).toBe('20240101T000000Z')
    expect(second.request.headers['X-Sdk-Date']).toBe('20240101T000001Z')
    expect(first.request.headers['Authorization']).not.toBe(second.request.headers['Authorization'])
    expect(auth.invalidate()).toBe(false)
  })
})
