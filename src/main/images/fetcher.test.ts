import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { EventPayload } from '../../shared/ipc'
import { TagdeckError } from '../../shared/errors'
import { HttpClient } from '../api/http'
import { ImageCache } from './cache'
import { ImageFetcher, type ImageRef } from './fetcher'
import { PrefetchTasks } from './prefetch'
import { parseImagePath, serveImage } from './serve'

const PNG = Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.alloc(32, 7)])

let dir: string
let server: http.Server
let base: string
let hits: string[]
let gate: Promise<void> | null

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-fetch-'))
  hits = []
  gate = null
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '')
    void (gate ?? Promise.resolve()).then(() => {
      if (req.url?.startsWith('/html')) {
        res.writeHead(200, { 'Content-Type': 'image/png' })
        return res.end('<script>alert(1)</script>')
      }
      if (req.url?.startsWith('/expired')) {
        res.writeHead(403)
        return res.end('{"error_code":"OBS.403","error_msg":"expired"}')
      }
      res.writeHead(200, { 'Content-Type': 'application/octet-stream' })
      res.end(PNG)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

async function stopServer(): Promise<void> {
  if (!server.listening) return
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
}

afterEach(async () => {
  await stopServer()
  await rm(dir, { recursive: true, force: true })
})

async function world(resolvePath: (ref: ImageRef) => string = (r) => `/img/${r.sampleId}`) {
  const cache = await ImageCache.open(dir, { capBytes: 1 << 20 })
  const resolved: string[] = []
  const fetcher = new ImageFetcher({
    cache,
    httpFor: () =>
      new HttpClient(
        { sleep: async () => {} },
        {
          retries: 1,
          baseDelayMs: 1,
          maxDelayMs: 1,
          timeoutMs: 5000,
          maxRetryAfterMs: 0
        }
      ),
    resolve: async (ref) => {
      resolved.push(ref.sampleId)
      return new URL(resolvePath(ref), base)
    }
  })
  return { cache, fetcher, resolved }
}

const ref = (sampleId: string): ImageRef => ({
  connectionId: 'c',
  jobId: 'j',
  sampleId,
  variant: 'thumb'
})

describe('ImageFetcher', () => {
  it('downloads once, then answers from the cache, sniffing the real type', async () => {
    const { fetcher } = await world()
    const [a, b] = await Promise.all([fetcher.get(ref('s1')), fetcher.get(ref('s1'))])
    expect(a).toEqual({ bytes: PNG, contentType: 'image/png', fromCache: false })
    expect(b).toBe(a)
    expect(hits).toEqual(['/img/s1'])
    expect((await fetcher.get(ref('s1'))).fromCache).toBe(true)
    expect(hits).toHaveLength(1)
  })

  it('uses a remembered listing URL, and asks again when it has expired', async () => {
    const { fetcher, resolved } = await world()
    fetcher.remember({ connectionId: 'c', jobId: 'j', variant: 'thumb' }, [
      { id: 's1', source: new URL('/listed/s1', base) },
      { id: 's2', source: new URL('/expired/s2', base) }
    ])
    await fetcher.get(ref('s1'))
    await fetcher.get(ref('s2'))
    expect(hits).toEqual(['/listed/s1', '/expired/s2', '/img/s2'])
    expect(resolved).toEqual(['s2'])
  })

  it('refuses bytes that are not an image, whatever the header says', async () => {
    const { fetcher, cache } = await world(() => '/html')
    const reply = await serveImage(fetcher, 'c/j/s1/full')
    expect(reply.status).toBe(502)
    expect(reply.contentType).toMatch(/^text\/plain/)
    expect(cache.info().entries).toBe(0)
  })

  it('serves cached images when the store is gone, and says offline for the rest', async () => {
    const { fetcher } = await world()
    expect((await serveImage(fetcher, 'c/j/s1/thumb')).status).toBe(200)
    await stopServer()
    const cached = await serveImage(fetcher, 'c/j/s1/thumb')
    expect(cached).toMatchObject({ status: 200, contentType: 'image/png', body: PNG })
    expect(cached.headers?.['X-Tagdeck-Cache']).toBe('hit')
    const missing = await serveImage(fetcher, 'c/j/s2/thumb')
    expect(missing.status).toBe(503)
    await expect(fetcher.get(ref('s2'))).rejects.toMatchObject({ code: 'offline' })
  })

  it('rejects image names that are not four clean segments', async () => {
    expect(parseImagePath('c/j/s/thumb')).toEqual(ref('s'))
    expect(parseImagePath('c%2Fx/j/s/thumb')).toBeNull()
    for (const bad of ['c/j/s', 'c/j/s/big', '../j/s/thumb', 'c/j/s/thumb/x', 'c/j/%E0%A4%A/thumb'])
      expect(parseImagePath(bad)).toBeNull()
    const { fetcher } = await world()
    expect((await serveImage(fetcher, 'c/../s/thumb')).status).toBe(400)
    expect(hits).toEqual([])
  })
})

describe('PrefetchTasks', () => {
  it('downloads a list with progress events and counts failures', async () => {
    const { fetcher } = await world((r) =>
      r.sampleId === 'bad' ? '/expired/x' : `/img/${r.sampleId}`
    )
    const events: EventPayload<'images.progress'>[] = []
    const tasks = new PrefetchTasks(fetcher, (e) => events.push(e), {
      concurrency: 2,
      progressEveryMs: 0
    })
    const result = await tasks.run({
      taskId: 't1',
      connectionId: 'c',
      jobId: 'j',
      variant: 'thumb',
      sampleIds: ['a', 'b', 'bad', 'c']
    })
    expect(result).toEqual({ done: 3, failed: 1, bytes: PNG.length * 3, cancelled: false })
    expect(events.at(-1)).toEqual({
      taskId: 't1',
      done: 3,
      failed: 1,
      total: 4,
      bytes: PNG.length * 3
    })
    // One after each image (every 0 ms), none at the start or the end.
    expect(events).toHaveLength(4)
  })

  it('reports while a task runs, at most every progressEveryMs; a quick task sends nothing', async () => {
    const { fetcher } = await world()
    const events: EventPayload<'images.progress'>[] = []
    let now = 0
    let step = 30
    const tasks = new PrefetchTasks(fetcher, (e) => events.push(e), {
      progressEveryMs: 100,
      now: () => (now += step)
    })
    const sampleIds = Array.from({ length: 20 }, (_, i) => `s${i}`)
    await tasks.run({ taskId: 't', connectionId: 'c', jobId: 'j', variant: 'thumb', sampleIds })
    // 20 images, 30 ms apart on this clock: one report every 4th image, none at the start.
    expect(events.length).toBeGreaterThanOrEqual(4)
    expect(events.length).toBeLessThanOrEqual(6)
    expect(events[0]?.total).toBe(20)
    expect(events[0]?.done).toBeGreaterThanOrEqual(3)
    events.length = 0
    step = 1
    const quick = await tasks.run({
      taskId: 'q',
      connectionId: 'c',
      jobId: 'j',
      variant: 'thumb',
      sampleIds: sampleIds.slice(0, 10)
    })
    expect(quick).toMatchObject({ done: 10, failed: 0 })
    expect(events).toEqual([])
  })

  it('keeps the bound on downloads in flight across tasks', async () => {
    const { fetcher } = await world()
    let open: () => void = () => {}
    gate = new Promise<void>((resolve) => (open = resolve))
    const tasks = new PrefetchTasks(fetcher, () => {}, { concurrency: 3 })
    const ids = (prefix: string) => Array.from({ length: 5 }, (_, i) => `${prefix}${i}`)
    const run = (taskId: string) =>
      tasks.run({ taskId, connectionId: 'c', jobId: 'j', variant: 'thumb', sampleIds: ids(taskId) })
    const both = Promise.all([run('a'), run('b')])
    await waitFor(() => hits.length === 3)
    await new Promise((r) => setTimeout(r, 30))
    // Three in flight in all, the first task's first (first come, first served).
    expect(hits).toHaveLength(3)
    expect(hits.every((h) => h.includes('/a'))).toBe(true)
    open()
    const [a, b] = await both
    expect([a.done, b.done]).toEqual([5, 5])
    // The oldest task goes first: every image of a started before any of b.
    const order = hits.map((h) => (h.includes('/a') ? 'a' : 'b')).join('')
    expect(order).toBe('aaaaabbbbb')
  })

  it('ends a task cancelled while it waits behind another, and an empty one at once', async () => {
    const { fetcher } = await world()
    let open: () => void = () => {}
    gate = new Promise<void>((resolve) => (open = resolve))
    const tasks = new PrefetchTasks(fetcher, () => {}, { concurrency: 2 })
    const run = (taskId: string, sampleIds: string[]) =>
      tasks.run({ taskId, connectionId: 'c', jobId: 'j', variant: 'thumb', sampleIds })
    const first = run('a', ['a0', 'a1', 'a2'])
    const waiting = run('b', ['b0', 'b1'])
    expect(await run('empty', [])).toEqual({ done: 0, failed: 0, bytes: 0, cancelled: false })
    await waitFor(() => hits.length === 2)
    expect(tasks.cancel('b')).toBe(true)
    expect(await waiting).toEqual({ done: 0, failed: 0, bytes: 0, cancelled: true })
    open()
    expect((await first).done).toBe(3)
    expect(hits.some((h) => h.includes('/b'))).toBe(false)
  })

  it('stops when cancelled and refuses a second task with the same id', async () => {
    const { fetcher } = await world()
    let open: () => void = () => {}
    gate = new Promise<void>((resolve) => (open = resolve))
    const tasks = new PrefetchTasks(fetcher, () => {}, { concurrency: 2 })
    const ids = Array.from({ length: 20 }, (_, i) => `s${i}`)
    const running = tasks.run({
      taskId: 't',
      connectionId: 'c',
      jobId: 'j',
      variant: 'full',
      sampleIds: ids
    })
    await expect(
      tasks.run({ taskId: 't', connectionId: 'c', jobId: 'j', variant: 'full', sampleIds: ids })
    ).rejects.toBeInstanceOf(TagdeckError)
    await waitFor(() => hits.length === 2)
    expect(tasks.cancel('t')).toBe(true)
    open()
    const result = await running
    expect(result.cancelled).toBe(true)
    expect(result.done + result.failed).toBeLessThan(20)
    expect(tasks.cancel('t')).toBe(false)
  })
})

async function waitFor(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 5))
  expect(check()).toBe(true)
}
