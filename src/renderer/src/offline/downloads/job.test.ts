import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { ChannelInput } from '../../../../shared/ipc'
import { jobDbBytes, OfflineDownloads, type OfflineProgress } from './job'
import { queueDeletions } from '../outbox/outbox'
import { readPage } from '../reads/pages'
import {
  FakeService,
  makeSample,
  makeWorld,
  serviceWithJob,
  type TestWorld,
  until
} from '../../../../../testing/offline'

const job = { connectionId: 'c1', jobId: 'j1' }
type Prefetch = ChannelInput<'images.prefetch'>

function world(
  n = 250,
  options: Parameters<typeof makeWorld>[0] = {}
): TestWorld & { prefetched: Prefetch[] } {
  const w = makeWorld({ service: serviceWithJob(n), ...options })
  const prefetched: Prefetch[] = []
  w.service.on('images.prefetch', async (input) => {
    prefetched.push(input)
    return {
      done: input.sampleIds.length,
      failed: 0,
      bytes: input.sampleIds.length * 1000,
      cancelled: false
    }
  })
  return { ...w, prefetched }
}

/** Holds prefetch chunk `index` (0-based) until it is cancelled. */
function holdChunk(w: ReturnType<typeof world>, index: number) {
  let release: () => void = () => {}
  let reached: () => void = () => {}
  const atChunk = new Promise<void>((r) => (reached = r))
  let n = 0
  w.service.on('images.prefetch', async (input) => {
    w.prefetched.push(input)
    if (n++ === index) {
      reached()
      await new Promise<void>((r) => (release = r))
      return { done: 0, failed: 0, bytes: 0, cancelled: true }
    }
    return {
      done: input.sampleIds.length,
      failed: 0,
      bytes: input.sampleIds.length * 1000,
      cancelled: false
    }
  })
  w.service.on('images.cancelPrefetch', async () => {
    release()
    return { cancelled: true }
  })
  return atChunk
}

describe('make available offline', () => {
  it('walks every page at 100, fetches the thumbnails of every two pages as it goes, pins the job', async () => {
    const w = world()
    await new OfflineDownloads(w.ctx).start(job)

    const pages = w.service.calls.filter((c) => c.channel === 'samples.page')
    expect(pages.map((c) => (c.input as { page: number; perPage: number }).page)).toEqual([1, 2, 3])
    // Two pages' thumbnails are asked for once both are stored, and the next page is asked for
    // while one is stored (one page ahead): page 3 before the chunk of pages 1 and 2; the last
    // page goes on its own.
    const order = w.service.calls
      .filter((c) => c.channel === 'samples.page' || c.channel === 'images.prefetch')
      .map((c) => {
        const input = c.input as { page?: number; sampleIds?: string[] }
        return c.channel === 'samples.page'
          ? `page ${input.page}`
          : `chunk of ${input.sampleIds?.length}`
      })
    expect(order).toEqual(['page 1', 'page 2', 'page 3', 'chunk of 200', 'chunk of 50'])
    expect(w.prefetched.map((p) => [p.variant, p.sampleIds.length])).toEqual([
      ['thumb', 200],
      ['thumb', 50]
    ])
    expect(w.prefetched.flatMap((p) => p.sampleIds)).toEqual(
      w.service.samples('c1', 'j1').map((s) => s.id)
    )
    const row = await w.ctx.db.offlineJobs.get(['c1', 'j1'])
    expect(row).toMatchObject({
      pin: 'pinned',
      state: 'done',
      phase: 'done',
      pagesDone: 3,
      pagesTotal: 3,
      imagesDone: 250,
      imagesTotal: 250,
      bytes: 250_000
    })

    // Every page now reads offline.
    w.ctx.connectivity.set({ connectionId: 'c1', state: 'offline', since: 1, lastError: null })
    for (let page = 1; page <= 3; page++) {
      const view = await readPage(w.ctx, {
        ...job,
        filter: { kind: 'everything' },
        page,
        perPage: 100
      })
      expect(view.samples).toHaveLength(page === 3 ? 50 : 100)
    }
  })

  it('counts the images left visible: those queued for deletion are neither fetched nor counted', async () => {
    const w = world()
    const all = w.service.samples('c1', 'j1').map((s) => s.id)
    // Deleted offline before the download: five on page 2, one on page 3.
    const gone = [all[120], all[130], all[140], all[150], all[160], all[240]] as string[]
    await queueDeletions(w.ctx.db, w.ctx.clock, job, gone, 60_000)
    await new OfflineDownloads(w.ctx).start(job)
    expect(w.prefetched.flatMap((p) => p.sampleIds)).toEqual(all.filter((id) => !gone.includes(id)))
    expect(await w.ctx.db.offlineJobs.get(['c1', 'j1'])).toMatchObject({
      state: 'done',
      imagesDone: 244,
      imagesTotal: 244
    })
  })

  it('estimates full images first and downloads them after the thumbnails', async () => {
    const w = world(30)
    const downloads = new OfflineDownloads(w.ctx)
    const estimate = await downloads.estimate(job)
    const sizes = w.service.samples('c1', 'j1').reduce((s, x) => s + (x.bytes ?? 0), 0)
    expect(estimate).toEqual({ images: 30, fullBytes: sizes, unknownSizes: 0 })
    await downloads.start(job, { includeFull: true })
    expect(w.prefetched.map((p) => p.variant)).toEqual(['thumb', 'full'])
    expect((await w.ctx.db.offlineJobs.get(['c1', 'j1']))?.state).toBe('done')
  })

  it('cancels, keeps its place, and resumes without fetching done pages again', async () => {
    const w = world(450)
    const downloads = new OfflineDownloads(w.ctx)
    const atChunk = holdChunk(w, 1)
    const running = downloads.start(job)
    await atChunk
    await until(async () => (await w.ctx.db.offlineJobs.get(['c1', 'j1']))?.imagesDone === 200)
    await downloads.cancel(job)
    await running
    // The thumbnails of pages 3 and 4 were cut off: the place kept is after page 2.
    expect(await w.ctx.db.offlineJobs.get(['c1', 'j1'])).toMatchObject({
      state: 'paused',
      pagesDone: 2,
      imagesDone: 200
    })
    expect(w.service.calls.some((c) => c.channel === 'images.cancelPrefetch')).toBe(true)

    w.prefetched.length = 0
    w.service.on('images.prefetch', async (input) => {
      w.prefetched.push(input)
      return {
        done: input.sampleIds.length,
        failed: 0,
        bytes: input.sampleIds.length * 1000,
        cancelled: false
      }
    })
    const pagesBefore = w.service.calls.filter((c) => c.channel === 'samples.page').length
    await downloads.resume(job)
    const all = w.service.samples('c1', 'j1').map((s) => s.id)
    expect(w.prefetched.flatMap((p) => p.sampleIds)).toEqual(all.slice(200))
    const resumedPages = w.service.calls
      .filter((c) => c.channel === 'samples.page')
      .slice(pagesBefore)
      .map((c) => (c.input as { page: number }).page)
    expect(resumedPages).toEqual([3, 4, 5])
    expect(await w.ctx.db.offlineJobs.get(['c1', 'j1'])).toMatchObject({
      state: 'done',
      imagesDone: 450,
      bytes: 450_000
    })
  })

  it('resumes after a restart from the persisted place', async () => {
    const service = new FakeService()
    service.addJob(
      'c1',
      'j1',
      Array.from({ length: 450 }, (_, i) => makeSample(i))
    )
    const name = `offline-${Math.random()}`
    const before = world(0, { service, dbName: name })
    const atChunk = holdChunk(before, 1)
    void new OfflineDownloads(before.ctx).start(job)
    await atChunk
    await until(async () => (await before.ctx.db.offlineJobs.get(['c1', 'j1']))?.pagesDone === 2)
    // The app dies here: the row says `running`, pages 1 and 2 and their thumbnails done.
    expect(await before.ctx.db.offlineJobs.get(['c1', 'j1'])).toMatchObject({
      state: 'running',
      imagesDone: 200
    })
    before.ctx.db.close()

    const after = world(0, { service: new FakeService(), dbName: name })
    after.service.addJob('c1', 'j1', service.samples('c1', 'j1'))
    // Main's image cache kept what it answered for before the restart.
    const kept = new Set(before.prefetched.slice(0, 1).flatMap((p) => p.sampleIds))
    after.service.on('images.present', async (i) => {
      const now = new Set(after.prefetched.flatMap((p) => p.sampleIds))
      const missing = i.sampleIds.filter((id) => !kept.has(id) && !now.has(id))
      return { present: i.sampleIds.length - missing.length, missing }
    })
    const downloads = new OfflineDownloads(after.ctx)
    await downloads.resumeInterrupted()
    await until(async () => (await after.ctx.db.offlineJobs.get(['c1', 'j1']))?.state === 'done')
    expect(after.prefetched.flatMap((p) => p.sampleIds)).toEqual(
      service
        .samples('c1', 'j1')
        .slice(200)
        .map((s) => s.id)
    )
    const pages = after.service.calls.filter((c) => c.channel === 'samples.page')
    expect(pages.map((c) => (c.input as { page: number }).page)).toEqual([3, 4, 5])
    await downloads.stopAll()
  })

  it('reports speed and time left from main progress events', async () => {
    const w = world(100)
    const downloads = new OfflineDownloads(w.ctx)
    const atChunk = holdChunk(w, 0)
    const seen: OfflineProgress[][] = []
    const off = downloads.watch((jobs) => seen.push(jobs))
    const running = downloads.start(job)
    await atChunk
    // The totals are known from the first page on, before its thumbnails are in.
    await until(async () => seen.at(-1)?.[0]?.imagesTotal === 100)
    w.clock.advance(2_000)
    // The size is read again once the clock allows (the first read came before any page).
    await until(async () => (seen.at(-1)?.[0]?.dbBytes ?? 0) > 0)
    const taskId = (w.prefetched[0] as Prefetch).taskId
    w.events.emitProgress({ taskId, done: 40, failed: 0, total: 100, bytes: 400_000 })
    const last = seen.at(-1)?.[0]
    expect(last).toMatchObject({ active: true, phase: 'pages', pagesTotal: 1, imagesDone: 0 })
    expect(last?.bytesPerSecond).toBe(200_000)
    expect(last?.etaMs).toBe(3_000) // 40 images in 2 s, 60 to go
    expect(last?.dbBytes).toBeGreaterThan(0)
    await downloads.cancel(job)
    await running
    off()
  })
})

describe('offline job sizes', () => {
  it('are read at most every 2 s while a download changes its row, and once after the last change', async () => {
    const w = world(250)
    const downloads = new OfflineDownloads(w.ctx)
    const seen: OfflineProgress[][] = []
    const off = downloads.watch((jobs) => seen.push(jobs))
    await downloads.start(job)
    await until(async () => seen.at(-1)?.[0]?.state === 'done')
    // Every change of the row is shown at once, but the size is still the first one read
    // (before any page was stored): the clock has not moved.
    expect(seen.length).toBeGreaterThan(3)
    expect(new Set(seen.map((jobs) => jobs[0]?.dbBytes ?? 0))).toEqual(new Set([0]))
    w.clock.advance(2_000)
    const bytes = await jobDbBytes(w.ctx.db, job)
    expect(bytes).toBeGreaterThan(0)
    await until(async () => seen.at(-1)?.[0]?.dbBytes === bytes)
    off()
  })
})
