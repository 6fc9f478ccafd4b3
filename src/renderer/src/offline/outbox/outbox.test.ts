import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { groupsHolding, outboxId } from '../store/db'
import { cachedStats, readStats } from '../reads/job-data'
import {
  discard,
  findDeletion,
  pendingCounts,
  pendingRows,
  queueDeletions,
  retry,
  undo
} from './outbox'
import { cachedPage, readPage, type PageRequest } from '../reads/pages'
import { deletions, makeSample, makeWorld, type TestWorld } from '../../../../../testing/offline'

const job = { connectionId: 'c1', jobId: 'j1' }
const everything = { kind: 'everything' } as const
const req = (page: number, perPage = 100): PageRequest => ({
  ...job,
  filter: everything,
  page,
  perPage
})

async function cachedJob(n = 250): Promise<TestWorld> {
  const world = makeWorld()
  world.service.addJob(
    'c1',
    'j1',
    Array.from({ length: n }, (_, i) => makeSample(i))
  )
  for (let p = 1; p <= Math.ceil(n / 100); p++) await readPage(world.ctx, req(p))
  await readStats(world.ctx, job)
  return world
}

async function visibleIds(world: TestWorld, pages: number, perPage = 100): Promise<string[]> {
  const ids: string[] = []
  for (let p = 1; p <= pages; p++) {
    const view = await cachedPage(world.ctx.db, req(p, perPage))
    if (!view) throw new Error(`page ${p} not cached`)
    ids.push(...view.samples.map((s) => s.id))
  }
  return ids
}

describe('queueDeletions', () => {
  it('hides the samples from every cached page and every count, pages reflowed', async () => {
    const world = await cachedJob()
    const all = world.service.samples('c1', 'j1').map((s) => s.id)
    const gone = [all[0], all[5], all[99], all[150]]
    const result = await queueDeletions(world.ctx.db, world.clock, job, gone)
    expect(result.deletionIds).toEqual(gone.map((s) => outboxId('c1', 'j1', s)))

    const page1 = await cachedPage(world.ctx.db, req(1))
    expect(page1?.total).toBe(246)
    expect(page1?.pageCount).toBe(3)
    expect(page1?.samples).toHaveLength(100)
    // The page is now filled from the next service page: nothing skipped, nothing repeated.
    expect(await visibleIds(world, 3)).toEqual(all.filter((id) => !gone.includes(id)))

    const stats = await cachedStats(world.ctx.db, job)
    const removed = world.service.samples('c1', 'j1').filter((s) => gone.includes(s.id))
    expect(stats?.value.all).toBe(246)
    expect(stats?.value.tagged).toBe(250 - 84 - removed.filter((s) => s.tags.length > 0).length)
    const cats = removed.filter((s) => s.tags.includes('cat')).length
    const catLabel = stats?.value.labels.find((l) => l.name === 'cat')
    expect(catLabel?.sampleCount).toBe(83 - cats)
    expect(cats).toBeGreaterThan(0)
  })

  it('stores a selection in records of at most 100 samples, in the order given', async () => {
    const world = await cachedJob()
    const ids = world.service
      .samples('c1', 'j1')
      .map((s) => s.id)
      .reverse()
    const { deletionIds } = await queueDeletions(world.ctx.db, world.clock, job, ids)
    const groups = await world.ctx.db.outbox.orderBy('id').toArray()
    expect(groups.map((g) => g.keys.length)).toEqual([100, 100, 50])
    expect(groups.flatMap((g) => g.keys)).toEqual(deletionIds)
    expect(groups.flatMap((g) => g.samples.map((s) => s.sampleId))).toEqual(ids)
    expect(await pendingCounts(world.ctx.db)).toMatchObject({ queued: 250, willSync: 250 })
    const panel = await pendingRows(world.ctx.db, 'queued', 120)
    expect(panel.map((r) => r.id)).toEqual(deletionIds.slice(0, 120))
    expect(panel[0]).toMatchObject({ sampleId: ids[0], status: 'queued', name: `img-249.jpg` })
  })

  it('writes nothing at all when the hiding fails (one transaction)', async () => {
    const world = await cachedJob()
    const id = world.service.samples('c1', 'j1')[3].id
    world.ctx.db.listings.hook('updating', () => {
      throw new Error('disk full')
    })
    await expect(queueDeletions(world.ctx.db, world.clock, job, [id])).rejects.toThrow()
    expect(await world.ctx.db.outbox.count()).toBe(0)
  })

  it('is idempotent per sample', async () => {
    const world = await cachedJob()
    const id = world.service.samples('c1', 'j1')[7].id
    await queueDeletions(world.ctx.db, world.clock, job, [id, id])
    const again = await queueDeletions(world.ctx.db, world.clock, job, [id])
    expect(again).toEqual({ deletionIds: [], alreadyQueued: [id] })
    expect(await world.ctx.db.outbox.count()).toBe(1)
    expect((await cachedPage(world.ctx.db, req(1)))?.total).toBe(249)
  })

  it('hides a queued sample in a filter cached only later', async () => {
    const world = await cachedJob()
    const cat = world.service.samples('c1', 'j1').find((s) => s.tags.includes('cat'))
    if (!cat) throw new Error('fixture has cats')
    await queueDeletions(world.ctx.db, world.clock, job, [cat.id])
    const cats = { ...job, filter: { kind: 'tag', tag: 'cat' } as const, page: 1, perPage: 100 }
    const view = await readPage(world.ctx, cats)
    expect(view.samples.map((s) => s.id)).not.toContain(cat.id)
    expect(view.total).toBe(world.service.page('c1', 'j1', cats.filter, 1, 100).total - 1)
  })
})

describe('undo', () => {
  it('restores the samples in pages and counts', async () => {
    const world = await cachedJob()
    const before = await visibleIds(world, 3)
    const statsBefore = await cachedStats(world.ctx.db, job)
    const { deletionIds } = await queueDeletions(
      world.ctx.db,
      world.clock,
      job,
      before.slice(10, 40)
    )
    expect(await visibleIds(world, 3)).not.toEqual(before)

    // Part of the selection first: its record is split, the rest stays queued.
    const part = await undo(world.ctx.db, deletionIds.slice(5, 10))
    expect(part).toEqual({ removed: deletionIds.slice(5, 10), tooLate: [] })
    expect(await pendingCounts(world.ctx.db)).toMatchObject({ queued: 25 })
    expect(await deletions(world.ctx.db)).toHaveLength(25)
    expect(await visibleIds(world, 3)).toEqual(
      before.filter(
        (id) => !before.slice(10, 15).includes(id) && !before.slice(20, 40).includes(id)
      )
    )
    const result = await undo(world.ctx.db, deletionIds)
    expect(result.removed).toEqual([...deletionIds.slice(0, 5), ...deletionIds.slice(10)])
    expect(result.tooLate).toEqual(deletionIds.slice(5, 10))
    expect(await visibleIds(world, 3)).toEqual(before)
    expect((await cachedStats(world.ctx.db, job))?.value).toEqual(statsBefore?.value)
    expect(await world.ctx.db.outbox.count()).toBe(0)
  })

  it('cannot take back a deletion being sent', async () => {
    const world = await cachedJob()
    const ids = world.service
      .samples('c1', 'j1')
      .slice(0, 2)
      .map((s) => s.id)
    // Two deletes, two records; the first one's is on its way.
    const first = await queueDeletions(world.ctx.db, world.clock, job, [ids[0]])
    const second = await queueDeletions(world.ctx.db, world.clock, job, [ids[1]])
    const deletionIds = [...first.deletionIds, ...second.deletionIds]
    const [sending] = await groupsHolding(world.ctx.db, first.deletionIds)
    // The sync engine's record of a batch on its way (see sync-batches.ts).
    await world.ctx.db.inflight.add({
      ...job,
      id: 'batch-1',
      groupIds: [sending.id],
      size: sending.size,
      startedAt: 0
    })
    expect(await pendingCounts(world.ctx.db)).toMatchObject({ queued: 1, sending: 1, willSync: 2 })
    expect((await pendingRows(world.ctx.db, 'sending')).map((r) => [r.id, r.status])).toEqual([
      [deletionIds[0], 'sending']
    ])
    expect((await pendingRows(world.ctx.db, 'queued')).map((r) => r.id)).toEqual([deletionIds[1]])
    const result = await undo(world.ctx.db, deletionIds)
    expect(result).toEqual({ removed: [deletionIds[1]], tooLate: [deletionIds[0]] })
    expect((await cachedPage(world.ctx.db, req(1)))?.total).toBe(249)
  })
})

describe('retry and discard', () => {
  it('retry re-queues failed rows; discard gives the sample back', async () => {
    const world = await cachedJob()
    const ids = world.service
      .samples('c1', 'j1')
      .slice(0, 2)
      .map((s) => s.id)
    const { deletionIds } = await queueDeletions(world.ctx.db, world.clock, job, ids)
    await world.ctx.db.outbox.toCollection().modify({
      status: 'failed',
      attempts: 1,
      lastError: { code: 'x', message: 'no' }
    })
    expect(await pendingCounts(world.ctx.db)).toMatchObject({ failed: 2, queued: 0, willSync: 0 })

    // One sample of the two in a record: the record is split.
    expect(await retry(world.ctx.db, world.clock, [deletionIds[0]])).toBe(1)
    expect(await findDeletion(world.ctx.db, deletionIds[0])).toMatchObject({
      status: 'queued',
      attempts: 0,
      lastError: null
    })
    expect(await findDeletion(world.ctx.db, deletionIds[1])).toMatchObject({
      status: 'failed',
      attempts: 1,
      lastError: { code: 'x', message: 'no' }
    })
    expect(await world.ctx.db.outbox.count()).toBe(2)
    expect((await deletions(world.ctx.db)).map((d) => d.status).sort()).toEqual([
      'failed',
      'queued'
    ])

    await discard(world.ctx.db, [deletionIds[1]])
    expect(await pendingCounts(world.ctx.db)).toMatchObject({ failed: 0, queued: 1, willSync: 1 })
    const page = await cachedPage(world.ctx.db, req(1))
    expect(page?.samples.map((s) => s.id)).toContain(ids[1])
    expect(page?.samples.map((s) => s.id)).not.toContain(ids[0])
  })
})
