import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { TagdeckError } from '../../../../shared/errors'
import { readSample, readStats, watchJob } from './job-data'
import { queueDeletions, undo } from '../outbox/outbox'
import { serviceOffset, shiftedOffset } from '../hiding/overlay'
import { readPage, refreshPage, type PageRequest } from './pages'
import { makeSample, makeWorld, networkDown } from '../../../../../testing/offline'

const job = { connectionId: 'c1', jobId: 'j1' }
const req = (page: number): PageRequest => ({
  ...job,
  filter: { kind: 'everything' },
  page,
  perPage: 50
})
const pageCalls = (calls: { channel: string }[]) =>
  calls.filter((c) => c.channel === 'samples.page').length

describe('overlay arithmetic', () => {
  it('maps visible offsets around hidden ones', () => {
    expect(serviceOffset(0, [])).toBe(0)
    expect(serviceOffset(0, [0, 1])).toBe(2)
    expect(serviceOffset(3, [1, 2, 9])).toBe(5)
    expect(serviceOffset(7, [1, 2, 9])).toBe(10)
  })

  it('shifts offsets past removed ones', () => {
    expect(shiftedOffset(5, [1, 3])).toBe(3)
    expect(shiftedOffset(3, [1, 3])).toBe(-1)
    expect(shiftedOffset(0, [1, 3])).toBe(0)
  })
})

describe('readPage', () => {
  it('offline with nothing cached: a TagdeckError "offline"', async () => {
    const w = makeWorld({ online: false })
    w.service.addJob('c1', 'j1', [makeSample(1)])
    const error = await readPage(w.ctx, req(1)).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TagdeckError)
    expect((error as TagdeckError).code).toBe('offline')
    expect((error as TagdeckError).message).toMatch(/not available offline/)
    expect(w.service.calls).toHaveLength(0)
  })

  it('unreachable although main said online: also "offline"', async () => {
    const w = makeWorld()
    w.service.fail = () => networkDown()
    await expect(readPage(w.ctx, req(1))).rejects.toMatchObject({ code: 'offline' })
  })

  it('serves the cache at once with its age, and revalidates in the background when due', async () => {
    const w = makeWorld()
    w.service.addJob(
      'c1',
      'j1',
      Array.from({ length: 120 }, (_, i) => makeSample(i))
    )
    const first = await readPage(w.ctx, req(2))
    expect(first).toMatchObject({ fromCache: true, total: 120, pageCount: 3, ageMs: 0 })
    expect(first.samples.map((s) => s.id)).toEqual(
      w.service
        .samples('c1', 'j1')
        .slice(50, 100)
        .map((s) => s.id)
    )
    expect(pageCalls(w.service.calls)).toBe(1)

    // Young: no request. Old and offline: no request, the age is told.
    w.clock.advance(5_000)
    expect((await readPage(w.ctx, req(2))).ageMs).toBe(5_000)
    expect(pageCalls(w.service.calls)).toBe(1)
    w.ctx.connectivity.set({ connectionId: 'c1', state: 'offline', since: 1, lastError: null })
    w.clock.advance(60_000)
    expect((await readPage(w.ctx, req(2))).ageMs).toBe(65_000)
    expect(pageCalls(w.service.calls)).toBe(1)

    // Old and online: the cached copy now, a refresh behind it that lands in the cache.
    w.ctx.connectivity.set({ connectionId: 'c1', state: 'online', since: 2, lastError: null })
    w.service.removeDirectly('c1', 'j1', [w.service.samples('c1', 'j1')[60].id])
    const shown = await readPage(w.ctx, req(2))
    expect(shown.ageMs).toBe(65_000)
    await new Promise((r) => setTimeout(r, 50))
    expect(pageCalls(w.service.calls)).toBe(2)
    const after = await readPage(w.ctx, req(2))
    expect(after.ageMs).toBe(0)
    expect(after.total).toBe(119)
    expect(after.stale).toBe(false)
    // The total moved under us: the other cached pages are due for revalidation.
    const listing = await w.ctx.db.listings.get(['c1', 'j1', 'everything', 50])
    expect(listing?.staleAt).toBe(w.clock.now())
  })

  it('keeps pages, stats and samples readable offline once seen', async () => {
    const w = makeWorld()
    w.service.addJob(
      'c1',
      'j1',
      Array.from({ length: 60 }, (_, i) => makeSample(i))
    )
    await readPage(w.ctx, req(1))
    await readStats(w.ctx, job)
    const id = w.service.samples('c1', 'j1')[4].id
    w.ctx.connectivity.set({ connectionId: 'c1', state: 'offline', since: 1, lastError: null })
    w.service.fail = () => networkDown()
    const sample = await readSample(w.ctx, job, id)
    expect(sample.value.boxes).toEqual(w.service.samples('c1', 'j1')[4].boxes)
    expect(sample.pendingDeletion).toBe(false)
    expect((await readStats(w.ctx, job)).value.all).toBe(60)
    expect((await readPage(w.ctx, req(1))).samples).toHaveLength(50)
  })
})

describe('readSample (the viewer)', () => {
  it('reads the image again from the service when reachable, and offline shows the last copy seen', async () => {
    const w = makeWorld()
    w.service.addJob(
      'c1',
      'j1',
      Array.from({ length: 10 }, (_, i) => makeSample(i))
    )
    await readPage(w.ctx, req(1))
    const sample = w.service.samples('c1', 'j1')[4]
    // A colleague re-tags it after its page was listed.
    sample.tags = ['zebra']
    sample.boxes = [{ tag: 'zebra', x1: 2, y1: 2, x2: 9, y2: 9 }]
    expect((await readSample(w.ctx, job, sample.id)).value.tags).toEqual(['zebra'])
    w.ctx.connectivity.set({ connectionId: 'c1', state: 'offline', since: 1, lastError: null })
    const calls = w.service.calls.length
    expect((await readSample(w.ctx, job, sample.id)).value.boxes).toEqual(sample.boxes)
    expect(w.service.calls.length).toBe(calls)
  })
})

describe('watchJob', () => {
  it('fires on a delete, an undo and a refresh that brought news; not on an idle refresh', async () => {
    const w = makeWorld()
    w.service.addJob(
      'c1',
      'j1',
      Array.from({ length: 40 }, (_, i) => makeSample(i))
    )
    await readPage(w.ctx, req(1))
    let calls = 0
    const off = watchJob(w.ctx.db, job, () => (calls += 1))
    const settle = () => new Promise((r) => setTimeout(r, 40))
    await settle()

    await refreshPage(w.ctx, req(1))
    await settle()
    expect(calls).toBe(0)

    const { deletionIds } = await queueDeletions(w.ctx.db, w.clock, job, [
      w.service.samples('c1', 'j1')[0].id
    ])
    await settle()
    expect(calls).toBe(1)
    await undo(w.ctx.db, deletionIds)
    await settle()
    expect(calls).toBe(2)

    w.service.samples('c1', 'j1')[3].tags = ['zebra']
    w.clock.advance(1)
    await refreshPage(w.ctx, req(1))
    await settle()
    expect(calls).toBe(3)
    off()
  })
})
