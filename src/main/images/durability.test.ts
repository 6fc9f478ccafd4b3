import { spawn } from 'node:child_process'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { HttpClient } from '../api/http'
import { ImageCache } from './cache'
import { ImageFetcher, cacheKey } from './fetcher'
import { FullDisk } from '../../../testing/full-disk'
import { PrefetchTasks, type PrefetchResult } from './prefetch'

// "Done" means on disk: a prefetch answers only once its images are written and fsynced
// (pack and index), and a disk that fills up stops it with the space left, not a silent loss.

const PNG = Buffer.from('89504e470d0a1a0a', 'hex')
/** A different image per sample: PNG's signature, its id, filler up to `size`. */
const imageOf = (id: string, size = 600) =>
  Buffer.concat([PNG, Buffer.from(id.padEnd(size - PNG.length, '.'))])
const ids = (n: number, prefix = 's') => Array.from({ length: n }, (_, i) => `${prefix}${i}`)
const key = (sampleId: string) =>
  cacheKey({ connectionId: 'c', jobId: 'j', sampleId, variant: 'thumb' })

let dir: string
let server: http.Server
let base: string
let size = 600
const opened: ImageCache[] = []

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-durable-'))
  size = 600
  server = http.createServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'image/png' })
    res.end(imageOf(decodeURIComponent(req.url?.split('/').pop() ?? ''), size))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterEach(async () => {
  await Promise.all(opened.splice(0).map((cache) => cache.close().catch(() => undefined)))
  server.closeAllConnections()
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await rm(dir, { recursive: true, force: true })
})

async function openCache(disk?: FullDisk): Promise<ImageCache> {
  const cache = await ImageCache.open(dir, { capBytes: 1 << 30, disk })
  opened.push(cache)
  return cache
}

function prefetcher(cache: ImageCache): PrefetchTasks {
  const fetcher = new ImageFetcher({
    cache,
    httpFor: () => new HttpClient({}, { ...quick }),
    resolve: async (ref) => new URL(`/img/${ref.sampleId}`, base)
  })
  return new PrefetchTasks(fetcher, () => {})
}
const quick = { retries: 0, baseDelayMs: 1, maxDelayMs: 1, timeoutMs: 5000, maxRetryAfterMs: 0 }

const run = (tasks: PrefetchTasks, sampleIds: string[], taskId = 't'): Promise<PrefetchResult> =>
  tasks.run({ taskId, connectionId: 'c', jobId: 'j', variant: 'thumb', sampleIds })

/** Every id reads back from a cache opened anew on the folder, with its own bytes. */
async function expectAllReadable(sampleIds: string[]): Promise<void> {
  const again = await openCache()
  const wrong: string[] = []
  for (const id of sampleIds) {
    const got = await again.get(key(id))
    if (!got?.bytes.equals(imageOf(id, size))) wrong.push(id)
  }
  expect(wrong).toEqual([])
}

describe('an image answered as done', () => {
  it('survives the process being killed (SIGKILL) right after the answer', async () => {
    const fixture = path.join(import.meta.dirname, 'crash-child.fixture.ts')
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, dir, base, '1500'], {
      stdio: ['ignore', 'pipe', 'inherit']
    })
    const exited = new Promise((resolve) => child.once('exit', resolve))
    const lines = createInterface({ input: child.stdout })
    const answer = await new Promise<string>((resolve, reject) => {
      lines.once('line', (line) => {
        // Killed at once: nothing is closed, nothing waits for a timer.
        child.kill('SIGKILL')
        resolve(line)
      })
      child.once('exit', (code) => reject(new Error(`the child exited first (${code})`)))
    })
    await exited
    expect(JSON.parse(answer)).toMatchObject({ done: 1500, failed: 0, cancelled: false })
    await expectAllReadable(ids(1500))
  })

  it('is in the index on disk when the answer comes: a second cache on the folder reads it', async () => {
    const first = await openCache()
    const tasks = prefetcher(first)
    expect(await run(tasks, ids(300))).toMatchObject({ done: 300, failed: 0 })
    // `first` is never closed or flushed: as if the process had died here.
    await expectAllReadable(ids(300))
  })

  it('costs one write and fsync of the pack and one of the index per task, not per image', async () => {
    const disk = new FullDisk(1 << 30)
    const tasks = prefetcher(await openCache(disk))
    await run(tasks, ids(200))
    const kinds = disk.calls.map((call) => call.split(' ')[0])
    expect(kinds.filter((k) => k === 'write')).toHaveLength(1)
    expect(kinds.filter((k) => k === 'fsync')).toHaveLength(1)
    // The journal, appended and fsynced (`writeFile` fsyncs), after the pack's fsync.
    const journal = disk.calls.findIndex((call) => /^writeFile a .*index-0\.log$/.test(call))
    expect(journal).toBeGreaterThan(kinds.indexOf('fsync'))
    expect(disk.calls.filter((call) => call.startsWith('writeFile'))).toHaveLength(1)
  })
})

describe('the cache cap', () => {
  it('keeps out of `done` what it evicted to stay under it, without calling it a disk error', async () => {
    const cache = await ImageCache.open(dir, { capBytes: 50 * 600 })
    opened.push(cache)
    const result = await run(prefetcher(cache), ids(80))
    expect(result).toMatchObject({ done: 50, failed: 0, cancelled: false })
    expect(result.diskError).toBeUndefined()
  })
})

describe('a full disk', () => {
  it('stops the task with the space left, and counts nothing it could not keep', async () => {
    const disk = new FullDisk(40_000)
    const cache = await openCache(disk)
    // 200 images of 600 bytes wait in memory; the write before the answer finds 40 KB free.
    const result = await run(prefetcher(cache), ids(200))
    expect(result.diskError).toMatchObject({ code: 'ENOSPC', freeBytes: 0 })
    expect(result.diskError?.message).toMatch(/no space left/)
    expect(result.done).toBe(0)
    // What did not fit is forgotten at once: never reported as cached.
    const held = ids(200).filter((id) => cache.has(key(id)))
    expect(held.length).toBe(Math.floor(40_000 / 600))
  })

  it('stops at once when a batched write fails mid-task, and goes on once space is freed', async () => {
    size = 20_000
    const disk = new FullDisk(300_000)
    const cache = await openCache(disk)
    const tasks = prefetcher(cache)
    // 200 images of 20 KB: the first 256 KiB batch is written while the task runs, and fails.
    const full = await run(tasks, ids(200))
    expect(full.diskError).toMatchObject({ code: 'ENOSPC' })
    expect(full.done + full.failed).toBeLessThan(200)
    disk.room = 1 << 30
    const again = await run(tasks, ids(200), 't2')
    expect(again).toMatchObject({ done: 200, failed: 0, cancelled: false })
    expect(again.diskError).toBeUndefined()
    await expectAllReadable(ids(200))
  })

  it('fails the task when the index cannot be written, though the bytes were', async () => {
    const disk = new FullDisk(1 << 30)
    const cache = await openCache(disk)
    const tasks = prefetcher(cache)
    // Room for the pack's bytes, not for the journal line of each.
    disk.room = 100 * 600 + 50
    const result = await run(tasks, ids(100))
    expect(result).toMatchObject({ done: 0, diskError: { code: 'ENOSPC' } })
    disk.room = 1 << 30
    expect(await run(tasks, ids(100), 't2')).toMatchObject({ done: 100 })
    await expectAllReadable(ids(100))
  })
})
