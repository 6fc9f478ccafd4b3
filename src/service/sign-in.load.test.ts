import { mkdtemp, rm } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { z } from 'zod'
import { spawnService, type ServiceProcess } from '../../testing/service-cli'
import { tokenBody } from '../../testing/service-world'

// Password guessing must not starve everyone else: while 20 clients send wrong passwords as
// fast as they are answered, ListSamples keeps its pace. On Linux each guesser has its own
// loopback address and user name, so the per-pair budgets let every one of them hash (the
// hashing bound is what holds); elsewhere they share 127.0.0.1. The service runs as its own
// process (the CLI), as users run it, so the clients share no event loop with it.
const GUESSERS = 20
const linux = process.platform === 'linux'
const BASELINE_MS = 2_000
const LOAD_MS = 4_000

let dir: string
let service: ServiceProcess
let demo: ServiceProcess['demo']

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-sign-in-load-'))
  service = await spawnService(dir, ['--demo-size', '200'])
  demo = service.demo
})
afterAll(async () => {
  await service?.stop()
  if (dir) await rm(dir, { recursive: true, force: true })
})

function send(
  agent: Agent,
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: string,
  localAddress?: string
): Promise<{ status: number; headers: Record<string, unknown> }> {
  const base = new URL(demo.endpoint)
  return new Promise((resolve, reject) => {
    const req = request(
      { host: base.hostname, port: base.port, method, path: target, headers, agent, localAddress },
      (res) => {
        res.resume()
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }))
        res.on('error', reject)
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN

/**
 * Sequential ListSamples calls (a 100-sample page with thumbnail URLs: enough work per call that
 * a service short of CPU shows it) on one keep-alive connection for `ms`: rate and latency.
 */
async function listFor(ms: number, token: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 })
  const dataset = demo.datasets[0]?.id ?? ''
  const target = `/v2/${demo.projectId}/datasets/${dataset}/data-annotations/samples?limit=100&process_parameter=image/resize,m_lfit,h_200`
  const times: number[] = []
  const end = performance.now() + ms
  try {
    while (performance.now() < end) {
      const start = performance.now()
      const answer = await send(agent, 'GET', target, { 'X-Auth-Token': token })
      if (answer.status !== 200) throw new Error(`ListSamples: HTTP ${answer.status}`)
      times.push(performance.now() - start)
    }
  } finally {
    agent.destroy()
  }
  times.sort((a, b) => a - b)
  return {
    perSecond: (times.length * 1000) / ms,
    p50: percentile(times, 50),
    p99: percentile(times, 99)
  }
}

it(`keeps ListSamples going while ${GUESSERS} clients guess passwords`, async () => {
  const signIn = (agent: Agent, password: string, user = demo.user, from?: string) =>
    send(
      agent,
      'POST',
      '/v3/auth/tokens?nocatalog=true',
      { 'Content-Type': 'application/json' },
      tokenBody(demo, user, password),
      from
    )
  const own = new Agent({ keepAlive: true })
  const issued = await signIn(own, demo.password)
  own.destroy()
  const token = z.string().parse(issued.headers['x-subject-token'])

  await listFor(500, token) // warm-up
  const quiet = await listFor(BASELINE_MS, token)

  let guessing = true
  // A second round guesses other names, so the per-pair budgets let it hash as much again.
  let round = 0
  const statuses = new Map<number, number>()
  const guessers = Array.from({ length: GUESSERS }, async (_, i) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 })
    try {
      for (let n = 0; guessing; n++) {
        const { status } = linux
          ? await signIn(agent, `guess-${n}`, `user${round}-${i}`, `127.0.0.${10 + i}`)
          : await signIn(agent, `guess-${i}-${n}`)
        statuses.set(status, (statuses.get(status) ?? 0) + 1)
      }
    } finally {
      agent.destroy()
    }
  })
  await new Promise((resolve) => setTimeout(resolve, 300))
  const bounded = (r: typeof quiet) =>
    r.perSecond > quiet.perSecond / 2 && r.p99 < Math.max(50, quiet.p99 * 3)
  // Others share this machine: one more round of guessing before calling it a miss.
  let loaded = await listFor(LOAD_MS, token)
  if (!bounded(loaded)) {
    round++
    loaded = await listFor(LOAD_MS, token)
  }
  guessing = false
  await Promise.all(guessers)

  const row = (name: string, r: typeof quiet) =>
    `${name}: ${r.perSecond.toFixed(0)} req/s, p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms`
  console.log(
    [
      row('ListSamples alone', quiet),
      row(`ListSamples with ${GUESSERS} guessing clients`, loaded),
      `sign-in answers while guessing: ${JSON.stringify(Object.fromEntries(statuses))}`
    ].join('\n')
  )
  // No wrong password ever yields a token.
  expect(statuses.get(201)).toBeUndefined()
  // Bounded: at least half the quiet rate, and p99 within 50 ms (the issue saw 269 ms).
  expect(loaded.perSecond).toBeGreaterThan(quiet.perSecond / 2)
  expect(loaded.p99).toBeLessThan(Math.max(50, quiet.p99 * 3))
})
