import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  KeystoneError,
  rawCall,
  startWorld,
  tokenBody,
  type World
} from '../../testing/service-world'

// Failed IAM sign-ins are limited per user and per client address (sign-in-limits.ts), against
// the real service with its test clock.
let world: World

beforeEach(async () => {
  world = await startWorld({ demoSize: 3 })
})
afterEach(async () => {
  await world?.close()
})

const MINUTE = 60_000

function signIn(options: { user?: string; password?: string; from?: string } = {}) {
  const { demo } = world
  return rawCall(world.service.url, {
    method: 'POST',
    target: '/v3/auth/tokens?nocatalog=true',
    headers: { 'Content-Type': 'application/json' },
    body: tokenBody(demo, options.user ?? demo.user, options.password ?? demo.password),
    localAddress: options.from
  })
}

const wrong = (options: { user?: string; from?: string } = {}) =>
  signIn({ ...options, password: 'not-the-password' })

async function statuses(calls: (() => Promise<{ status: number }>)[]): Promise<number[]> {
  const out: number[] = []
  for (const call of calls) out.push((await call()).status)
  return out
}

const times = <T>(n: number, make: (i: number) => T): T[] =>
  Array.from({ length: n }, (_, i) => make(i))

function expectThrottled(answer: Awaited<ReturnType<typeof signIn>>, message: RegExp) {
  expect(answer.status).toBe(429)
  const { error } = KeystoneError.parse(answer.json)
  expect(error).toMatchObject({ code: 429, title: 'Too Many Requests' })
  expect(error.message).toMatch(message)
  expect(answer.headers.get('x-subject-token')).toBeNull()
  const retryAfter = Number(answer.headers.get('retry-after'))
  expect(retryAfter).toBeGreaterThanOrEqual(1)
  expect(Number(error.message.match(/try again in (\d+) s/)?.[1])).toBe(retryAfter)
  return retryAfter
}

describe('the same user from the same address', () => {
  it('gets 5 tries a minute, then 429 with Retry-After, even with the right password', async () => {
    expect(await statuses(times(5, () => () => wrong()))).toEqual([401, 401, 401, 401, 401])
    const [sixth, right] = await Promise.all([wrong(), signIn()])
    const wait = expectThrottled(sixth!, /Too many failed sign-ins for demo from this address/)
    expect(wait).toBeLessThanOrEqual(60)
    expectThrottled(right!, /Too many failed sign-ins for demo/)
    // Another user from the same address is not held up by demo's budget.
    expect((await wrong({ user: 'someone-else' })).status).toBe(401)
    world.clock.offsetMs = MINUTE + 1000
    expect((await signIn()).status).toBe(201)
  })

  it('cannot slip a burst of parallel guesses past the budget', async () => {
    const answers = await Promise.all(times(10, () => wrong()))
    const counts = answers.map((a) => a.status).sort()
    expect(counts).toEqual([401, 401, 401, 401, 401, 429, 429, 429, 429, 429])
  })

  it('starts afresh after a successful sign-in', async () => {
    expect(await statuses(times(4, () => () => wrong()))).toEqual([401, 401, 401, 401])
    expect((await signIn()).status).toBe(201)
    expect(await statuses(times(5, () => () => wrong()))).toEqual([401, 401, 401, 401, 401])
  })

  it('is locked out for 15 minutes after 20 failures, whatever the pace', async () => {
    for (let round = 0; round < 4; round++) {
      world.clock.offsetMs = round * (MINUTE + 1000)
      expect(await statuses(times(5, () => () => wrong()))).toEqual([401, 401, 401, 401, 401])
    }
    world.clock.offsetMs += 2 * MINUTE
    const locked = expectThrottled(await signIn(), /locked for 15 minutes after 20 failed/)
    expect(locked).toBeGreaterThan(12 * 60)
    expect(locked).toBeLessThanOrEqual(15 * 60)
    world.clock.offsetMs += locked * 1000 + 1000
    expect((await signIn()).status).toBe(201)
  })
})

describe('across users and addresses', () => {
  it('gives one address 20 failures a minute, whatever the user names', async () => {
    const sprayed = await statuses(times(20, (i) => () => wrong({ user: `user${i}` })))
    expect(sprayed.every((s) => s === 401)).toBe(true)
    expectThrottled(await wrong({ user: 'user20' }), /Too many failed sign-ins from this address/)
  })

  // Other loopback addresses than 127.0.0.1 exist only on Linux.
  it.runIf(process.platform === 'linux')(
    'keeps addresses apart, and gives one user 20 failures a minute from all of them',
    async () => {
      expect(await statuses(times(5, () => () => wrong({ from: '127.0.0.2' })))).toEqual([
        401, 401, 401, 401, 401
      ])
      expect((await wrong({ from: '127.0.0.2' })).status).toBe(429)
      for (const from of ['127.0.0.3', '127.0.0.4', '127.0.0.5'])
        expect(await statuses(times(5, () => () => wrong({ from })))).toEqual([
          401, 401, 401, 401, 401
        ])
      expectThrottled(await wrong({ from: '127.0.0.6' }), /Too many failed sign-ins for demo: /)
      world.clock.offsetMs = MINUTE + 1000
      expect((await signIn({ from: '127.0.0.6' })).status).toBe(201)
    }
  )
})
