import { fork, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises'
import http from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import WebSocket from 'ws'
import { median } from './stats'
import { envCount } from './env'

/**
 * What routing costs the browser shell's bridge: `bridge-server.ts` (node:http, its own
 * routing) against the same bridge on Fastify (`bridge-fastify.ts`), both in one process of
 * their own on the real core (`bridge-routing-host.ts`), on the bridge's real traffic: the
 * built renderer's files (every file in turn, and index.html alone, where routing is the
 * largest share), `/img/` requests (the grid's thumbnails), the WebSocket's upgrade, and for scale the hot path, calls over an open
 * WebSocket (the same code on both sides). Each workload runs four clients at a time on
 * kept-alive connections; it reports requests per second and the server process's CPU per
 * request. Sides run interleaved (ours, Fastify, Fastify, ours...) after a warm-up of each;
 * medians and the spread of BRIDGE_BENCH_ROUNDS rounds (5), the ratios taken round by round. The renderer is out/renderer
 * (`npm run build`) or BRIDGE_BENCH_RENDERER.
 */
const ROUNDS = envCount('BRIDGE_BENCH_ROUNDS', 5)
const CLIENTS = 4
const TOKEN = randomBytes(24).toString('base64url')
type Side = 'ours' | 'fastify'
const SIDES: readonly Side[] = ['ours', 'fastify']

interface Workload {
  name: string
  count: number
  /** One client's run of `take()` requests against `origin`. */
  client(origin: string, take: () => boolean): Promise<void>
}

const agents = new Map<string, http.Agent>()

function get(origin: string, target: string, status = 200): Promise<void> {
  let agent = agents.get(origin)
  if (!agent) agents.set(origin, (agent = new http.Agent({ keepAlive: true, maxSockets: CLIENTS })))
  const { hostname, port } = new URL(origin)
  return new Promise((resolve, reject) => {
    const req = http.get(
      {
        host: hostname,
        port,
        path: target,
        agent,
        // What Chromium sends for the page's own files.
        headers: { Accept: '*/*', 'Sec-Fetch-Site': 'same-origin', 'Sec-Fetch-Mode': 'no-cors' }
      },
      (res) => {
        res.resume()
        res.on('end', () =>
          res.statusCode === status
            ? resolve()
            : reject(new Error(`${target}: HTTP ${res.statusCode}`))
        )
        res.on('error', reject)
      }
    )
    req.on('error', reject)
  })
}

const wsUrl = (origin: string) => `${origin.replace('http', 'ws')}/bridge/ws?token=${TOKEN}`

function openSocket(origin: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl(origin), { headers: { Origin: origin } })
    ws.once('open', () => resolve(ws))
    ws.once('error', reject)
    ws.once('unexpected-response', (_req, res) =>
      reject(new Error(`upgrade: HTTP ${res.statusCode}`))
    )
  })
}

function closeSocket(ws: WebSocket): Promise<void> {
  return new Promise((resolve) => {
    ws.once('close', () => resolve())
    ws.close()
  })
}

function workloads(files: string[]): Workload[] {
  return [
    {
      name: `the renderer's ${files.length} files, each in turn`,
      count: 1_000,
      async client(origin, take) {
        for (let i = 0; take(); i++) await get(origin, files[i % files.length] as string)
      }
    },
    {
      name: 'index.html alone',
      count: 4_000,
      async client(origin, take) {
        while (take()) await get(origin, '/')
      }
    },
    {
      // The grid's <img> requests take this route; an unknown connection keeps the core's part
      // small (a lookup, 404), so what is left is the guard and the routing.
      name: '/img/ of an unknown connection (token checked, the core answers 404)',
      count: 4_000,
      async client(origin, take) {
        while (take()) await get(origin, `/img/nope/job/sample/thumb?token=${TOKEN}`, 404)
      }
    },
    {
      name: 'WebSocket upgrade (a new connection, opened and closed)',
      count: 600,
      async client(origin, take) {
        while (take()) await closeSocket(await openSocket(origin))
      }
    },
    {
      name: 'a call over an open WebSocket (app.ping; same code both sides)',
      count: 8_000,
      async client(origin, take) {
        const ws = await openSocket(origin)
        try {
          for (let id = 1; take(); id++) {
            const answered = new Promise<void>((resolve, reject) => {
              ws.once('message', (data) => {
                const reply = JSON.parse(data.toString()) as { id: number; result: { ok: boolean } }
                if (reply.id === id && reply.result.ok) resolve()
                else reject(new Error(`unexpected answer ${data.toString()}`))
              })
            })
            ws.send(JSON.stringify({ id, channel: 'app.ping', input: { nonce: 'bench' } }))
            await answered
          }
        } finally {
          await closeSocket(ws)
        }
      }
    }
  ]
}

function hostCpuMs(host: ChildProcess): Promise<number> {
  return new Promise((resolve) => {
    host.once('message', (message: { cpu: NodeJS.CpuUsage }) =>
      resolve((message.cpu.user + message.cpu.system) / 1000)
    )
    host.send({ cpu: true })
  })
}

interface Result {
  perSecond: number
  cpuUsPerRequest: number
}

async function runOnce(host: ChildProcess, origin: string, work: Workload, count: number) {
  let left = count
  const take = () => left-- > 0
  const cpuBefore = await hostCpuMs(host)
  const start = performance.now()
  await Promise.all(Array.from({ length: CLIENTS }, () => work.client(origin, take)))
  const seconds = (performance.now() - start) / 1000
  const cpuMs = (await hostCpuMs(host)) - cpuBefore
  return { perSecond: count / seconds, cpuUsPerRequest: (cpuMs * 1000) / count }
}

const spread = (xs: number[], digits: number) => {
  const s = [...xs].sort((a, b) => a - b)
  return `${median(xs).toFixed(digits)} (${s[0]?.toFixed(digits)}-${s[s.length - 1]?.toFixed(digits)})`
}

async function rendererFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true })
  return names
    .filter((d) => d.isFile())
    .map((d) => '/' + path.relative(dir, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
    .map((p) => (p === '/index.html' ? '/' : p))
    .sort()
}

async function main(): Promise<void> {
  const source = process.env.BRIDGE_BENCH_RENDERER ?? path.join(__dirname, '..', 'out', 'renderer')
  if (!existsSync(path.join(source, 'index.html')))
    throw new Error(
      `no built renderer in ${source}: run \`npm run build\` or set BRIDGE_BENCH_RENDERER`
    )
  // A copy: a build running meanwhile must not change what is served.
  const renderer = await mkdtemp(path.join(tmpdir(), 'tagdeck-bridge-renderer-'))
  await cp(source, renderer, { recursive: true })
  const files = await rendererFiles(renderer)
  const host = fork(path.join(__dirname, 'bridge-routing-host.ts'), [renderer, TOKEN], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc']
  })
  try {
    const origins = await new Promise<Record<Side, string>>((resolve, reject) => {
      host.once('message', (message: Record<Side, string>) => resolve(message))
      host.once('exit', (code) => reject(new Error(`the bridge host exited (${code})`)))
    })
    console.log(`serving ${source} (${files.join(', ')}); ${CLIENTS} clients at a time`)
    const work = workloads(files)
    const results = new Map<string, Result[]>()
    for (const w of work)
      for (const side of SIDES) await runOnce(host, origins[side], w, Math.ceil(w.count / 5))
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? SIDES : [...SIDES].reverse()
      for (const w of work)
        for (const side of order) {
          const result = await runOnce(host, origins[side], w, w.count)
          const key = `${w.name}|${side}`
          results.set(key, [...(results.get(key) ?? []), result])
        }
      console.log(`round ${r + 1} of ${ROUNDS} done`)
    }

    const head = [
      `median (min-max) of ${ROUNDS} rounds`,
      'ours req/s',
      'Fastify req/s',
      'ratio',
      'ours CPU µs/req',
      'Fastify CPU µs/req',
      'ratio'
    ]
    const rows = work.map((w) => {
      const ours = results.get(`${w.name}|ours`) ?? []
      const fast = results.get(`${w.name}|fastify`) ?? []
      const rate = (xs: Result[]) => xs.map((x) => x.perSecond)
      const cpu = (xs: Result[]) => xs.map((x) => x.cpuUsPerRequest)
      // Each round's two runs saw the same load: the ratio is taken per round.
      const ratios = (f: (x: Result) => number) => fast.map((x, i) => f(x) / f(ours[i] as Result))
      return [
        w.name,
        spread(rate(ours), 0),
        spread(rate(fast), 0),
        spread(
          ratios((x) => x.perSecond),
          2
        ),
        spread(cpu(ours), 0),
        spread(cpu(fast), 0),
        spread(
          ratios((x) => x.cpuUsPerRequest),
          2
        )
      ]
    })
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
    const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')
    console.log()
    console.log(fmt(head))
    console.log(widths.map((w) => '-'.repeat(w)).join('  '))
    for (const row of rows) console.log(fmt(row))
    console.log(
      "ratios: Fastify over ours, each round's (req/s above 1 and CPU below 1: Fastify is faster)"
    )
  } finally {
    for (const agent of agents.values()) agent.destroy()
    if (host.exitCode === null) {
      const exited = new Promise((resolve) => host.once('exit', resolve))
      host.send({ stop: true })
      await exited
    }
    await rm(renderer, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
