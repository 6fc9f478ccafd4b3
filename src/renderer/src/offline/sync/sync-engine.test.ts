import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { openTagdeckDb } from '../store/db'
import { cachedStats, readStats } from '../reads/job-data'
import { findDeletion, pendingCounts, queueDeletions, resumeConnection } from '../outbox/outbox'
import { storePage } from '../reads/page-store'
import { idsIn, jobPageIds, jobPageRange, jobPagesHolding } from '../store/page-rows'
import { cachedPage, readPage, refreshPage, type PageRequest } from '../reads/pages'
import { SyncEngine } from './sync-engine'
import { deriveStatus, watchSyncStatus, type SyncStatus } from './sync-status'
import {
  auth401,
  deletions,
  FakeService,
  makeSample,
  makeWorld,
  networkDown,
  retryable503,
  type TestWorld,
  until
} from '../../../../../testing/offline'

const job = { connectionId: 'c1', jobId: 'j1' }
const req = (page: number): PageRequest => ({
  ...job,
  filter: { kind: 'everything' },
  page,
  perPage: 100
})
const backoff = { baseMs: 1_000, maxMs: 60_000 }

function world(n = 300, options: Parameters<typeof makeWorld>[0] = {}): TestWorld {
  const w = makeWorld(options)
  if (!options.service)
    w.service.addJob(
      'c1',
      'j1',
      Array.from({ length: n }, (_, i) => makeSample(i))
    )
  return w
}

const ids = (w: TestWorld, from: number, to: number) =>
  w.service
    .samples('c1', 'j1')
    .slice(from, to)
    .map((s) => s.id)

describe('SyncEngine.drain', () => {
  it('sends batches of at most 100 ids of one job, oldest first, and empties the outbox', async () => {
    const w = world()
    const gone = ids(w, 0, 250)
    await queueDeletions(w.ctx.db, w.clock, job, gone)
    const report = await new SyncEngine(w.ctx).drain()

    const calls = w.service.deleteCalls()
    expect(calls.map((c) => c.length)).toEqual([100, 100, 50])
    expect(calls.flat()).toEqual(gone)
    expect(report).toMatchObject({ batches: 3, done: 250, failed: 0, retried: 0 })
    expect(await w.ctx.db.outbox.count()).toBe(0)
    expect(w.service.samples('c1', 'j1')).toHaveLength(50)
  })

  it('keeps `concurrency` requests in flight (8 by default), and never picks a row twice', async () => {
    const w = world(1_000)
    const gone = ids(w, 0, 950)
    await queueDeletions(w.ctx.db, w.clock, job, gone)
    let active = 0
    let most = 0
    w.service.afterDelete = async () => {
      most = Math.max(most, ++active)
      await new Promise((resolve) => setTimeout(resolve, 5))
      active -= 1
    }
    const engine = new SyncEngine(w.ctx)
    const report = await engine.drain()
    expect(most).toBe(8)
    expect(report).toMatchObject({ batches: 10, done: 950, failed: 0, retried: 0 })
    expect(w.service.deleteCalls().flat().sort()).toEqual([...gone].sort())
    expect([...w.service.deletions.values()].every((n) => n === 1)).toBe(true)
    expect(await w.ctx.db.outbox.count()).toBe(0)
    expect(await w.ctx.db.inflight.count()).toBe(0)
    // Confirmed, not yet folded into the cached pages: that follows the sending.
    expect(await w.ctx.db.settled.count()).toBeGreaterThan(0)
    expect(await engine.foldDeletions()).toBe(1)
    expect(await w.ctx.db.settled.count()).toBe(0)
  })

  it('drains several jobs at once, each row sent once, and leaves nothing in flight', async () => {
    const w = world(400)
    w.service.addJob(
      'c1',
      'j2',
      Array.from({ length: 300 }, (_, i) => makeSample(1_000 + i))
    )
    const other = { connectionId: 'c1', jobId: 'j2' }
    const first = ids(w, 0, 350)
    const second = w.service
      .samples('c1', 'j2')
      .slice(0, 250)
      .map((s) => s.id)
    await queueDeletions(w.ctx.db, w.clock, job, first)
    await queueDeletions(w.ctx.db, w.clock, other, second)
    const engine = new SyncEngine(w.ctx)
    const report = await engine.drain()
    expect(await engine.foldDeletions()).toBe(2)
    expect(report).toMatchObject({ batches: 7, done: 600, failed: 0, retried: 0 })
    expect(w.service.deleteCalls().every((c) => c.length <= 100)).toBe(true)
    expect([...w.service.deletions.values()].every((n) => n === 1)).toBe(true)
    expect(w.service.samples('c1', 'j1')).toHaveLength(50)
    expect(w.service.samples('c1', 'j2')).toHaveLength(50)
    expect(await w.ctx.db.outbox.count()).toBe(0)
    expect(await w.ctx.db.inflight.count()).toBe(0)
    expect(await w.ctx.db.settled.count()).toBe(0)
  })

  it('counts a sample already gone on the service as done', async () => {
    const w = world()
    const [a, b] = ids(w, 0, 2)
    w.service.removeDirectly('c1', 'j1', [a])
    await queueDeletions(w.ctx.db, w.clock, job, [a, b])
    const report = await new SyncEngine(w.ctx).drain()
    expect(report).toMatchObject({ done: 2, failed: 0 })
    expect(await w.ctx.db.outbox.count()).toBe(0)
    expect(w.service.deletions.get(a)).toBeUndefined()
    expect(w.service.deletions.get(b)).toBe(1)
  })

  it('backs off on 503 with jitter, then delivers every id exactly once', async () => {
    const w = world(300, { random: () => 0.25 })
    const gone = ids(w, 0, 150)
    await queueDeletions(w.ctx.db, w.clock, job, gone)
    let failures = 2
    w.service.fail = (channel) =>
      channel === 'samples.delete' && failures-- > 0 ? retryable503() : undefined
    // One batch at a time, so the second waits for the first's backoff.
    const engine = new SyncEngine(w.ctx, { backoff, concurrency: 1 })

    const first = await engine.drain()
    expect(first).toMatchObject({ done: 0, retried: 100 })
    expect(await w.ctx.db.syncState.get('engine')).toMatchObject({
      lastSyncAt: null,
      lastError: { code: 'ModelArts.0503' },
      progress: null
    })
    const rows = await deletions(w.ctx.db)
    expect(rows.every((r) => r.status === 'queued')).toBe(true)
    // attempt 1: 1000 ms, equal jitter with random 0.25 -> 500 + 125
    const waiting = rows.filter((r) => r.attempts === 1)
    expect(waiting).toHaveLength(100)
    expect(waiting.every((r) => r.nextAttemptAt === w.clock.now() + 625)).toBe(true)
    expect(waiting[0].lastError?.code).toBe('ModelArts.0503')

    // Not due yet, and the connection is backing off: nothing is sent.
    expect((await engine.drain()).batches).toBe(0)
    w.clock.advance(625)
    // The 50 never sent go first (due longest), as a batch of their own: groups stay whole.
    const second = await engine.drain()
    expect(second).toMatchObject({ batches: 1, retried: 50 })
    const again = await w.ctx.db.outbox
      .where('attempts')
      .equals(2)
      .count()
      .catch(() => -1)
    void again
    w.clock.advance(60_000)
    const third = await engine.drain()
    expect(third).toMatchObject({ done: 150, failed: 0 })
    // Answers are noted a few times a second, and all of them when the drain ends.
    expect(await w.ctx.db.syncState.get('engine')).toMatchObject({
      lastSyncAt: w.clock.now(),
      lastError: null,
      progress: null
    })

    expect(await w.ctx.db.outbox.count()).toBe(0)
    expect([...w.service.deletions.values()].every((n) => n === 1)).toBe(true)
    expect([...w.service.deletions.keys()].sort()).toEqual([...gone].sort())
  })

  it('pauses the connection on 401 until the user signs in again', async () => {
    const w = world()
    await queueDeletions(w.ctx.db, w.clock, job, ids(w, 0, 120))
    w.service.fail = (channel) => (channel === 'samples.delete' ? auth401() : undefined)
    const engine = new SyncEngine(w.ctx, { backoff, concurrency: 1 })
    const report = await engine.drain()
    expect(report.paused).toBe(120)
    expect(w.service.deleteCalls()).toHaveLength(1)
    const statuses = (await deletions(w.ctx.db)).map((r) => r.status)
    expect(statuses).toEqual(Array(120).fill('paused'))

    // Queued while paused: paused too, and nothing goes out.
    await queueDeletions(w.ctx.db, w.clock, job, ids(w, 200, 201))
    expect((await findDeletion(w.ctx.db, `c1/j1/${ids(w, 200, 201)[0]}`))?.status).toBe('paused')
    expect((await engine.drain()).batches).toBe(0)

    const seen: SyncStatus[] = []
    const off = watchSyncStatus(w.ctx.db, w.ctx.connectivity, (s) => seen.push(s))
    await until(() => seen.length > 0, 'a status')
    expect(seen.at(-1)).toMatchObject({ state: 'paused', signInNeeded: ['c1'], pending: 121 })
    expect(seen.at(-1)?.lastError).toMatch(/sign in/i)
    off()

    w.service.fail = () => undefined
    await resumeConnection(w.ctx.db, w.clock, 'c1')
    expect(await engine.drain()).toMatchObject({ done: 121 })
    expect(await w.ctx.db.pauses.count()).toBe(0)
  })

  it('marks per-item refusals failed with the service message, and sends the rest', async () => {
    const w = world()
    const [a, b, c] = ids(w, 0, 3)
    w.service.refuse.set(b, {
      code: 'ModelArts.4391',
      message: 'Sample is locked by a labeling task'
    })
    await queueDeletions(w.ctx.db, w.clock, job, [a, b, c])
    const report = await new SyncEngine(w.ctx).drain()
    expect(report).toMatchObject({ done: 2, failed: 1 })
    const rows = await deletions(w.ctx.db)
    expect(rows).toHaveLength(1)
    expect(rows[0]).toMatchObject({
      sampleId: b,
      status: 'failed',
      lastError: { code: 'ModelArts.4391', message: 'Sample is locked by a labeling task' }
    })
    // Still hidden until the user retries or discards it.
    const page = await readPage(w.ctx, req(1))
    expect(page.samples.map((s) => s.id)).not.toContain(b)
  })

  it('retries a network failure and keeps the rows', async () => {
    const w = world()
    await queueDeletions(w.ctx.db, w.clock, job, ids(w, 0, 5))
    w.service.fail = (channel) => (channel === 'samples.delete' ? networkDown() : undefined)
    const report = await new SyncEngine(w.ctx, { backoff }).drain()
    expect(report).toMatchObject({ retried: 5, failed: 0 })
    expect((await deletions(w.ctx.db)).map((r) => r.status)).toEqual(Array(5).fill('queued'))
  })

  it('does not send while main says the connection is offline', async () => {
    const w = world(300, { online: false })
    await queueDeletions(w.ctx.db, w.clock, job, ids(w, 0, 5))
    expect((await new SyncEngine(w.ctx).drain()).batches).toBe(0)
    expect(w.service.deleteCalls()).toHaveLength(0)
  })
})

describe('crash recovery', () => {
  it('re-sends the batches in flight when the app died; the service ends with each deleted once', async () => {
    const service = new FakeService()
    service.addJob(
      'c1',
      'j1',
      Array.from({ length: 300 }, (_, i) => makeSample(i))
    )
    const name = `crash-${Math.random()}`
    const before = makeWorld({ service, dbName: name })
    const gone = ids(before, 0, 250)
    await queueDeletions(before.ctx.db, before.clock, job, gone)

    // Both requests reach the service, then the app dies before an answer is stored.
    let crash: () => void = () => {}
    const crashed = new Promise<void>((resolve) => (crash = resolve))
    service.afterDelete = () => {
      if (service.deleteCalls().length === 2) crash()
      return new Promise(() => {})
    }
    // Two requests at a time; the third batch is picked ahead (in flight, not yet sent).
    void new SyncEngine(before.ctx, { concurrency: 2 }).drain()
    await crashed
    const flying = (await before.ctx.db.inflight.toArray()).flatMap((b) => b.groupIds)
    expect(flying).toHaveLength(3)
    expect(await pendingCounts(before.ctx.db)).toMatchObject({ queued: 0, sending: 250 })
    before.ctx.db.close()

    service.afterDelete = () => Promise.resolve()
    const after = makeWorld({ service, dbName: name })
    const engine = new SyncEngine(after.ctx)
    expect(await engine.recover()).toBe(250)
    expect(await after.ctx.db.inflight.count()).toBe(0)
    const report = await engine.drain()
    await engine.foldDeletions()
    expect(report).toMatchObject({ done: 250, failed: 0 })
    expect(await after.ctx.db.outbox.count()).toBe(0)
    expect(await after.ctx.db.settled.count()).toBe(0)
    expect([...service.deletions.keys()].sort()).toEqual([...gone].sort())
    expect([...service.deletions.values()].every((n) => n === 1)).toBe(true)
    expect(service.samples('c1', 'j1').map((s) => s.id)).toEqual(ids(after, 0, 50))
  })
})

describe('one runner across windows', () => {
  it('only the lock holder drains; the other takes over when it stops', async () => {
    const service = new FakeService()
    service.addJob(
      'c1',
      'j1',
      Array.from({ length: 300 }, (_, i) => makeSample(i))
    )
    const name = `lock-${Math.random()}`
    const a = makeWorld({ service, dbName: name })
    const b = makeWorld({ dbName: name, service: new FakeService() })
    b.service.addJob('c1', 'j1', service.samples('c1', 'j1'))
    b.ctx.locks = a.ctx.locks // the same Web Lock manager, as two windows of one origin share
    const engineA = new SyncEngine(a.ctx)
    const engineB = new SyncEngine(b.ctx)
    engineA.start()
    engineB.start()
    await until(() => engineA.isLeader, 'A to lead')
    expect(engineB.isLeader).toBe(false)

    await queueDeletions(b.ctx.db, b.clock, job, ids(a, 0, 150))
    await until(async () => (await a.ctx.db.outbox.count()) === 0, 'A to drain')
    expect(service.deleteCalls().flat()).toHaveLength(150)
    expect(b.service.deleteCalls()).toHaveLength(0)

    await engineA.stop()
    await until(() => engineB.isLeader, 'B to take over')
    await queueDeletions(b.ctx.db, b.clock, job, [service.samples('c1', 'j1')[0].id])
    await until(async () => (await b.ctx.db.outbox.count()) === 0, 'B to drain')
    expect(b.service.deleteCalls().flat()).toHaveLength(1)
    expect(service.deleteCalls().flat()).toHaveLength(150)
    await engineB.stop()
  })
})

describe('after a sync', () => {
  it('rebases cached pages so the grid neither skips nor repeats, then revalidates', async () => {
    const w = world(300)
    for (let p = 1; p <= 3; p++) await readPage(w.ctx, req(p))
    await readStats(w.ctx, job)
    const gone = [...ids(w, 0, 10), ...ids(w, 95, 105), ...ids(w, 250, 260)]
    // On page 2 before the sync; 20 samples before it go, so page 1 after.
    const moved = ids(w, 105, 106)
    await queueDeletions(w.ctx.db, w.clock, job, gone)
    w.clock.advance(1_000)
    const engine = new SyncEngine(w.ctx)
    await engine.drain()
    await engine.foldDeletions()

    // Offline now: the cache alone must match the service page for page.
    w.ctx.connectivity.set({ connectionId: 'c1', state: 'offline', since: 1, lastError: null })
    for (let p = 1; p <= 3; p++) {
      const view = await readPage(w.ctx, req(p))
      const truth = w.service.page('c1', 'j1', { kind: 'everything' }, p, 100)
      expect(view.samples.map((s) => s.id)).toEqual(truth.samples.map((s) => s.id))
      expect(view.total).toBe(270)
      expect(view.stale).toBe(true)
    }
    expect((await cachedStats(w.ctx.db, job))?.value.all).toBe(270)
    // The rewritten pages' ids moved with them: a sample is found on the page it now sits on.
    const holding = await jobPagesHolding(w.ctx.db, job, new Set(moved))
    expect(holding.map((p) => p.page)).toEqual([1])
    const pageIds = await jobPageIds(w.ctx.db, job)
    const pages = await jobPageRange(w.ctx.db, job).toArray()
    expect(pageIds.map(idsIn)).toEqual(pages.map((p) => p.sampleIds))

    // Online again: revalidation refetches, and nothing changes for the reader.
    w.ctx.connectivity.set({ connectionId: 'c1', state: 'online', since: 2, lastError: null })
    w.clock.advance(1)
    const callsBefore = w.service.calls.length
    const fresh = await refreshPage(w.ctx, req(2))
    expect(w.service.calls.length).toBeGreaterThan(callsBefore)
    expect(fresh?.stale).toBe(false)
    expect(fresh?.samples.map((s) => s.id)).toEqual(
      w.service.page('c1', 'j1', { kind: 'everything' }, 2, 100).samples.map((s) => s.id)
    )
  })

  it('refuses to store a page fetched while a batch was in flight', async () => {
    const w = world(300)
    for (let p = 1; p <= 3; p++) await readPage(w.ctx, req(p))
    const stale = w.service.page('c1', 'j1', { kind: 'everything' }, 1, 100)
    const generation = (await w.ctx.db.jobs.get(['c1', 'j1']))?.generation ?? 0
    await queueDeletions(w.ctx.db, w.clock, job, ids(w, 0, 5))
    await new SyncEngine(w.ctx).drain()
    const outcome = await storePage(
      w.ctx.db,
      { ...job, filter: { kind: 'everything' }, perPage: 100 },
      stale,
      generation,
      5
    )
    expect(outcome).toEqual({ stored: false })
    const view = await cachedPage(w.ctx.db, req(1))
    expect(view?.samples.map((s) => s.id)).toEqual(ids(w, 0, 100))
  })
})

describe('sync status', () => {
  it('derives offline / syncing / error / online', () => {
    const counts = { queued: 3, sending: 0, failed: 0, paused: 0, willSync: 3 }
    const edits = { queued: 0, sending: 0, failed: 0, paused: 0, conflict: 0, parked: 0 }
    const base = { counts, edits, sync: undefined, pauses: [] }
    expect(deriveStatus(base, 'offline').state).toBe('offline')
    expect(deriveStatus(base, 'online')).toMatchObject({ state: 'online', pending: 3 })
    expect(
      deriveStatus({ ...base, counts: { ...counts, sending: 2, willSync: 5 } }, 'online')
    ).toMatchObject({
      state: 'syncing',
      pending: 5
    })
    expect(deriveStatus({ ...base, counts: { ...counts, failed: 1 } }, 'online').state).toBe(
      'error'
    )
    // Review edits count with the deletions; a conflict waits for the reviewer.
    const withEdits = { ...base, edits: { ...edits, queued: 2, paused: 1, conflict: 1 } }
    expect(deriveStatus(withEdits, 'online')).toMatchObject({
      state: 'error',
      queued: 5,
      pending: 6,
      conflicts: 1
    })
  })

  it('reports progress and the last sync time from the runner', async () => {
    const w = world()
    await queueDeletions(w.ctx.db, w.clock, job, ids(w, 0, 10))
    const seen: SyncStatus[] = []
    const off = watchSyncStatus(w.ctx.db, w.ctx.connectivity, (s) => seen.push(s), 'c1')
    await until(() => seen.at(-1)?.pending === 10, 'pending 10')
    expect(seen.at(-1)).toMatchObject({ state: 'online', lastSyncAt: null })
    await new SyncEngine(w.ctx).drain()
    await until(() => seen.at(-1)?.pending === 0 && seen.at(-1)?.progress === null, 'idle')
    expect(seen.at(-1)).toMatchObject({
      state: 'online',
      lastSyncAt: w.clock.now(),
      progress: null
    })
    off()
    const db = openTagdeckDb(w.ctx.db.name)
    expect(await db.syncState.get('engine')).toMatchObject({ lastSyncAt: w.clock.now() })
    db.close()
  })
})
