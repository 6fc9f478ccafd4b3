import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { cacheBytes, evict } from './evict'
import { readSample } from '../reads/job-data'
import { OfflineDownloads } from '../downloads/job'
import { jobPageIds, jobPageRange } from './page-rows'
import { queueDeletions } from '../outbox/outbox'
import { readPage, type PageRequest } from '../reads/pages'
import { makeSample, makeWorld } from '../../../../../testing/offline'

const req = (jobId: string, page: number): PageRequest => ({
  connectionId: 'c1',
  jobId,
  filter: { kind: 'everything' },
  page,
  perPage: 100
})

async function setup() {
  const w = makeWorld()
  for (const jobId of ['pinned', 'recent', 'old']) {
    w.service.addJob(
      'c1',
      jobId,
      Array.from({ length: 200 }, (_, i) => makeSample(i))
    )
  }
  await new OfflineDownloads(w.ctx).start({ connectionId: 'c1', jobId: 'pinned' })
  for (const jobId of ['old', 'recent']) {
    for (let p = 1; p <= 2; p++) await readPage(w.ctx, req(jobId, p))
    w.clock.advance(120_000)
  }
  // The pinned job was used longest ago: LRU alone would drop it first.
  await jobPageRange(w.ctx.db, { connectionId: 'c1', jobId: 'pinned' }).modify({ lastUsedAt: 0 })
  // The viewer opened one image of each: those detail rows go with their job's pages.
  for (const jobId of ['old', 'recent']) {
    await readSample(w.ctx, { connectionId: 'c1', jobId }, w.service.samples('c1', jobId)[150].id)
  }
  const queued = w.service
    .samples('c1', 'old')
    .slice(0, 3)
    .map((s) => s.id)
  await queueDeletions(w.ctx.db, w.clock, { connectionId: 'c1', jobId: 'old' }, queued)
  await queueDeletions(w.ctx.db, w.clock, { connectionId: 'c1', jobId: 'pinned' }, queued)
  return { w, queued }
}

const pagesOf = async (w: ReturnType<typeof makeWorld>, jobId: string) => {
  const pages = await jobPageRange(w.ctx.db, { connectionId: 'c1', jobId }).count()
  // A page's ids go with it.
  expect((await jobPageIds(w.ctx.db, { connectionId: 'c1', jobId })).length).toBe(pages)
  return pages
}

describe('evict', () => {
  it('drops least recently used unpinned pages first, down to the cap', async () => {
    const { w } = await setup()
    const total = await cacheBytes(w.ctx.db)
    const oldBytes = (
      await jobPageRange(w.ctx.db, { connectionId: 'c1', jobId: 'old' }).toArray()
    ).reduce((s, p) => s + p.bytes, 0)
    const result = await evict(w.ctx.db, total - oldBytes)
    expect(result).toMatchObject({
      bytesBefore: total,
      bytesAfter: total - oldBytes,
      pagesRemoved: 2
    })
    expect(await pagesOf(w, 'old')).toBe(0)
    expect(await pagesOf(w, 'recent')).toBe(2)
    expect(await pagesOf(w, 'pinned')).toBe(2)
    expect(result.samplesRemoved).toBe(1)
    const details = (jobId: string) =>
      w.ctx.db.samples.where('[connectionId+jobId]').equals(['c1', jobId]).count()
    expect(await details('old')).toBe(0)
    expect(await details('recent')).toBe(1)
  })

  it('never touches pinned jobs or the outbox, even with a cap of zero', async () => {
    const { w, queued } = await setup()
    const outboxBefore = await w.ctx.db.outbox.toArray()
    await evict(w.ctx.db, 0)
    expect(await pagesOf(w, 'recent')).toBe(0)
    expect(await pagesOf(w, 'old')).toBe(0)
    expect(await pagesOf(w, 'pinned')).toBe(2)
    const pinned = await jobPageRange(w.ctx.db, { connectionId: 'c1', jobId: 'pinned' }).toArray()
    expect(pinned.flatMap((p) => p.samples)).toEqual(w.service.samples('c1', 'pinned'))
    expect(await w.ctx.db.outbox.toArray()).toEqual(outboxBefore)

    // Refetched later, the evicted job still hides what is queued.
    const page = await readPage(w.ctx, req('old', 1))
    expect(page.total).toBe(197)
    expect(page.samples.map((s) => s.id)).not.toContain(queued[0])
  })
})
