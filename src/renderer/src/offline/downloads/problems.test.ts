import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { TagdeckError } from '../../../../shared/errors'
import type { ChannelOutput } from '../../../../shared/ipc'
import { OfflineDownloads } from './job'
import {
  FakeService,
  fakeImageCache,
  makeWorld,
  serviceWithJob,
  type TestWorld,
  until
} from '../../../../../testing/offline'

// How a download ends when something other than the user stops it: cut short (main killed or
// restarted under the page) it stays `running` and resumes on the next start; a full disk
// stops it with what it needs, and nothing counts as available.

const job = { connectionId: 'c1', jobId: 'j1' }
type Answer = ChannelOutput<'images.prefetch'>
const fine = (n: number): Answer => ({ done: n, failed: 0, bytes: n * 1000, cancelled: false })

/** Main's image cache, as the fake services of a world and its restart share it. */
const stored = new WeakMap<TestWorld, Set<string>>()

/**
 * A world over a database that a later "start" (`after`) opens again; main's image cache
 * (`variant/id` of what it stored) outlives the restart, as its disk cache does.
 */
function worlds(n: number) {
  const service = serviceWithJob(n)
  const dbName = `offline-stops-${Math.random()}`
  const images = new Set<string>()
  const withCache = (w: TestWorld) => {
    stored.set(w, images)
    // Its answers to `images.present`; each test sets how `images.prefetch` answers.
    fakeImageCache(w.service, images)
    return w
  }
  const before = withCache(makeWorld({ service, dbName }))
  const after = () => {
    const next = new FakeService()
    next.addJob('c1', 'j1', service.samples('c1', 'j1'))
    return withCache(makeWorld({ service: next, dbName }))
  }
  return { before, after }
}

/** Chunk `index` (0-based) answers with `answer` (or fails with it); the others are stored. */
function chunkFails(w: TestWorld, index: number, answer: () => Promise<Answer>): string[][] {
  const asked: string[][] = []
  w.service.on('images.prefetch', async (input) => {
    asked.push(input.sampleIds)
    if (asked.length - 1 === index) return answer()
    for (const id of input.sampleIds) stored.get(w)?.add(`${input.variant}/${id}`)
    return fine(input.sampleIds.length)
  })
  return asked
}

const row = (w: TestWorld) => w.ctx.db.offlineJobs.get(['c1', 'j1'])

describe('a download cut short', () => {
  const lost = {
    // What the browser shell's page gets when main dies under it (bridge-client.ts).
    'the shell dropping': () =>
      new TagdeckError({
        code: 'internal',
        message: 'Tagdeck host is not responding (the connection dropped)'
      }),
    // What Electron's invoke rejects with when main goes away mid-call.
    'an IPC call never answered': () =>
      new Error("Error invoking remote method 'images.prefetch': reply was never sent")
  }
  for (const [how, error] of Object.entries(lost)) {
    it(`by ${how} stays running, and resumes by itself on the next start`, async () => {
      const { before, after } = worlds(450)
      chunkFails(before, 1, () => Promise.reject(error()))
      await new OfflineDownloads(before.ctx).start(job)
      expect(await row(before)).toMatchObject({ state: 'running', pagesDone: 2, imagesDone: 200 })
      before.ctx.db.close()

      const next = after()
      const asked = chunkFails(next, -1, () => Promise.reject(new Error('unused')))
      const downloads = new OfflineDownloads(next.ctx)
      await downloads.resumeInterrupted()
      await until(async () => (await row(next))?.state === 'done')
      const ids = next.service.samples('c1', 'j1').map((s) => s.id)
      expect(asked.flat()).toEqual(ids.slice(200))
      expect(await row(next)).toMatchObject({ imagesDone: 450, lastError: null })
      await downloads.stopAll()
    })
  }

  it('by main restarting under the open page goes on by itself after a while', async () => {
    const { before: w } = worlds(450)
    let failures = 1
    const asked = chunkFails(w, 1, () =>
      failures-- > 0 ? Promise.reject(lost['the shell dropping']()) : Promise.resolve(fine(200))
    )
    const downloads = new OfflineDownloads(w.ctx)
    await downloads.start(job)
    expect((await row(w))?.state).toBe('running')
    // Main is back; nothing tells the page, but it tries again within seconds.
    w.clock.advance(4_000)
    await until(async () => (await row(w))?.state === 'done')
    expect(asked.flat().slice(-250)).toEqual(
      w.service
        .samples('c1', 'j1')
        .slice(200)
        .map((s) => s.id)
    )
    await downloads.stopAll()
  })

  it("by the user's Cancel stays cancelled across a restart", async () => {
    const { before, after } = worlds(450)
    let cancel = () => {}
    const asked = chunkFails(
      before,
      1,
      () => new Promise((resolve) => (cancel = () => resolve({ ...fine(0), cancelled: true })))
    )
    before.service.on('images.cancelPrefetch', async () => (cancel(), { cancelled: true }))
    const downloads = new OfflineDownloads(before.ctx)
    const running = downloads.start(job)
    await until(async () => asked.length >= 2)
    await downloads.cancel(job)
    await running
    expect((await row(before))?.state).toBe('paused')
    before.ctx.db.close()

    const next = after()
    const resumed = new OfflineDownloads(next.ctx)
    await resumed.resumeInterrupted()
    await new Promise((r) => setTimeout(r, 30))
    expect(next.service.calls.filter((c) => c.channel !== 'connectivity.get')).toEqual([])
    expect((await row(next))?.state).toBe('paused')
  })
})

describe('a full disk', () => {
  const diskFull: Answer = {
    done: 0,
    failed: 0,
    bytes: 0,
    cancelled: false,
    diskError: { code: 'ENOSPC', message: 'no space left on device', freeBytes: 12_345 }
  }

  it('stops the download with what it needs and what is free; the job is not available', async () => {
    const { before, after } = worlds(450)
    chunkFails(before, 1, async () => diskFull)
    await new OfflineDownloads(before.ctx).start(job)
    // What was done is kept; 250 thumbnails left at the 1,000 bytes each of those done.
    expect(await row(before)).toMatchObject({
      state: 'error',
      phase: 'pages',
      imagesDone: 200,
      lastError: expect.stringMatching(/no space left/),
      problem: { kind: 'disk', code: 'ENOSPC', neededBytes: 250_000, freeBytes: 12_345 }
    })
    before.ctx.db.close()

    // Not resumed by itself (the disk must be freed first); the user's Resume goes on.
    const next = after()
    const asked = chunkFails(next, -1, async () => diskFull)
    const downloads = new OfflineDownloads(next.ctx)
    await downloads.resumeInterrupted()
    await new Promise((r) => setTimeout(r, 30))
    expect(asked).toEqual([])
    await downloads.resume(job)
    expect(asked.flat()).toEqual(
      next.service
        .samples('c1', 'j1')
        .slice(200)
        .map((s) => s.id)
    )
    expect(await row(next)).toMatchObject({ state: 'done', imagesDone: 450, problem: null })
  })

  it('counts the full images left in what it needs', async () => {
    const { before: w } = worlds(30)
    chunkFails(w, 1, async () => diskFull)
    await new OfflineDownloads(w.ctx).start(job, { includeFull: true })
    const sizes = w.service.samples('c1', 'j1').reduce((sum, s) => sum + (s.bytes ?? 0), 0)
    expect(await row(w)).toMatchObject({
      state: 'error',
      phase: 'full',
      problem: { kind: 'disk', neededBytes: sizes, freeBytes: 12_345 }
    })
  })
})
