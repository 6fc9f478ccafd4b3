import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { ImageVariant } from '../../../../shared/domain'
import { createOffline } from '../create'
import { missingImages, PRESENT_BATCH } from './check'
import {
  fakeImageCache,
  makeWorld,
  serviceWithJob,
  type TestWorld,
  until
} from '../../../../../testing/offline'

// At startup every finished download is checked against main's image cache (by id, in
// batches): images gone from it are counted on the job, which then offers to download them
// again, and a download again fetches only those.

const job = { connectionId: 'c1', jobId: 'j1' }

/** Main's image cache as the fake service keeps it: `variant/id` of every image stored. */
const imageCache = (w: TestWorld): Set<string> => fakeImageCache(w.service)

const world = (n: number, dbName = `check-${Math.random()}`): TestWorld =>
  makeWorld({ service: serviceWithJob(n), dbName })

const prefetched = (w: TestWorld, variant: ImageVariant) =>
  w.service.calls
    .filter((c) => c.channel === 'images.prefetch')
    .map((c) => c.input as { variant: ImageVariant; sampleIds: string[] })
    .filter((c) => c.variant === variant)
    .flatMap((c) => c.sampleIds)

describe('the startup check of offline copies', () => {
  it('says how many images of a finished download are missing, and downloads only those again', async () => {
    const w = world(250)
    const stored = imageCache(w)
    const offline = createOffline(w.ctx, { undoWindowMs: 0 })
    await offline.downloads.start(job)
    expect((await w.ctx.db.offlineJobs.get(['c1', 'j1']))?.state).toBe('done')
    const ids = w.service.samples('c1', 'j1').map((s) => s.id)
    // Gone from main's cache while the app was closed (a cleaned folder, a lost disk write).
    const lost = ids.filter((_, i) => i % 6 === 0)
    for (const id of lost) stored.delete(`thumb/${id}`)

    w.service.calls.length = 0
    await offline.start()
    await until(async () => (await w.ctx.db.offlineJobs.get(['c1', 'j1']))?.state === 'error')
    expect(await w.ctx.db.offlineJobs.get(['c1', 'j1'])).toMatchObject({
      state: 'error',
      problem: { kind: 'missing', missing: lost.length, total: 250 }
    })
    // Nothing is fetched until the user asks.
    expect(prefetched(w, 'thumb')).toEqual([])

    await offline.downloads.resume(job)
    expect(prefetched(w, 'thumb')).toEqual(lost)
    expect(await w.ctx.db.offlineJobs.get(['c1', 'j1'])).toMatchObject({
      state: 'done',
      problem: null,
      imagesDone: 250
    })
    await offline.stop()
  })

  it('asks in batches of 5,000 ids, and leaves a complete download alone', async () => {
    const w = world(250)
    const stored = imageCache(w)
    const many = Array.from({ length: PRESENT_BATCH * 2 + 10 }, (_, i) => `x${i}`)
    for (const id of many.slice(0, 7000)) stored.add(`thumb/${id}`)
    expect(await missingImages(w.ctx, job, 'thumb', many)).toEqual(many.slice(7000))
    const asks = w.service.calls.filter((c) => c.channel === 'images.present')
    expect(asks.map((c) => (c.input as { sampleIds: string[] }).sampleIds.length)).toEqual([
      5000, 5000, 10
    ])

    const offline = createOffline(w.ctx, { undoWindowMs: 0 })
    await offline.downloads.start(job)
    w.service.calls.length = 0
    await offline.downloads.checkFinished()
    expect(w.service.calls.map((c) => c.channel)).toEqual(['images.present'])
    expect((await w.ctx.db.offlineJobs.get(['c1', 'j1']))?.state).toBe('done')
  })

  it('ends a download as available only when main holds every image: one evicted is fetched again once', async () => {
    const evicting = async (times: number) => {
      const w = world(250)
      const stored = imageCache(w)
      let chunks = 0
      w.service.on('images.prefetch', async (i) => {
        for (const id of i.sampleIds) stored.add(`thumb/${id}`)
        // Main's cache evicts ten of the first thumbnails after the first chunk.
        if (++chunks >= 2 && chunks < 2 + times)
          for (const id of [...stored].slice(0, 10)) stored.delete(id)
        return { done: i.sampleIds.length, failed: 0, bytes: 1000, cancelled: false }
      })
      await createOffline(w.ctx).downloads.start(job)
      return { row: await w.ctx.db.offlineJobs.get(['c1', 'j1']), asked: prefetched(w, 'thumb') }
    }
    // Evicted once: those ten are fetched again at the end, and then it is available.
    const once = await evicting(1)
    expect(once.row).toMatchObject({ state: 'done', problem: null })
    expect(once.asked).toHaveLength(260)
    // Evicted again while fetched again: it says so, not "available".
    const twice = await evicting(2)
    expect(twice.row).toMatchObject({
      state: 'error',
      problem: { kind: 'missing', missing: 10, total: 250 }
    })
  })

  it('counts missing full images, and fetches only those full images again', async () => {
    const w = world(30)
    const stored = imageCache(w)
    const offline = createOffline(w.ctx, { undoWindowMs: 0 })
    await offline.downloads.start(job, { includeFull: true })
    const ids = w.service.samples('c1', 'j1').map((s) => s.id)
    stored.delete(`full/${ids[3]}`)
    stored.delete(`full/${ids[7]}`)
    w.service.calls.length = 0
    await offline.downloads.checkFinished()
    expect(await w.ctx.db.offlineJobs.get(['c1', 'j1'])).toMatchObject({
      state: 'error',
      phase: 'full',
      problem: { kind: 'missing', missing: 2, total: 30 }
    })
    await offline.downloads.resume(job)
    expect(prefetched(w, 'full')).toEqual([ids[3], ids[7]])
    expect(prefetched(w, 'thumb')).toEqual([])
    expect((await w.ctx.db.offlineJobs.get(['c1', 'j1']))?.state).toBe('done')
  })
})
