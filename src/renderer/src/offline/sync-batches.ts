import { Dexie } from 'dexie'
import type { DeleteOutcome } from '../../../shared/domain'
import { TagdeckError } from '../../../shared/errors'
import { flyingIds, hasSettled } from './batches'
import { dueRows, outboxJobs, pickContext, type PickCursor, type Ready } from './sync-pick'
import type { JobKey, OutboxError, OutboxRow, SyncStateRow, TagdeckDb } from './db'
import { DUE_INDEX, groupByJob, outboxId, touchJob } from './db'
import type { Clock } from './deps'
import { backoffDelay, type BackoffPolicy } from './backoff'
import { describe } from './errors'
import { rebaseJob, writeScope } from './listing'

/**
 * The outbox rows' transitions while sending: queued -> in flight (one `inflight` record per
 * batch) -> settled (out of the outbox, one `settled` record per job and transaction) |
 * failed | queued (later) | paused. Picking, settling and failing run in the sync engine's
 * transactions (one per group of answers, never spanning a request); the service is called
 * between them.
 */

export interface BatchDeps {
  db: TagdeckDb
  clock: Clock
  random: () => number
  backoff: BackoffPolicy
}

export interface Batch extends JobKey {
  /** Its `inflight` record. */
  id: string
  /** Outbox row ids, and the sample ids they stand for (in the same order). */
  rowIds: string[]
  sampleIds: string[]
}

export type Failure = 'auth' | 'retry' | 'fail'

export function classify(error: unknown): Failure {
  if (!(error instanceof TagdeckError)) return 'retry'
  if (error.code === 'auth') return 'auth'
  if (error.service?.httpStatus === 401 || error.service?.httpStatus === 403) return 'auth'
  if (error.code === 'network' || error.code === 'offline' || error.code === 'internal')
    return 'retry'
  if (error.service?.retryable) return 'retry'
  return 'fail'
}

/** Per-item codes that mean the sample is no longer there: as good as deleted. */
const isGone = (o: DeleteOutcome) =>
  o.status === 'deleted' || o.status === 'gone' || o.code === 'ModelArts.4420'

const SYNC_KEY = 'engine'
const blankState = (): SyncStateRow => ({
  key: SYNC_KEY,
  lastSyncAt: null,
  lastError: null,
  progress: null
})

async function updateState(db: TagdeckDb, change: (s: SyncStateRow) => Partial<SyncStateRow>) {
  const state = (await db.syncState.get(SYNC_KEY)) ?? blankState()
  await db.syncState.put({ ...state, ...change(state) })
}

function uniqueJobs(rows: readonly JobKey[]): JobKey[] {
  return groupByJob(rows).map(({ connectionId, jobId }) => ({ connectionId, jobId }))
}

/**
 * Batches left in flight (the runner died) are dropped: their rows are still queued and due,
 * so they go out again. Returns how many rows that was, and the jobs with settled batches.
 */
export async function releaseStuck(db: TagdeckDb) {
  return db.transaction('rw', writeScope(db), async () => {
    const stuck = await db.inflight.toArray()
    await db.inflight.clear()
    for (const job of uniqueJobs(stuck)) await touchJob(db, job, { generation: true })
    await updateState(db, () => ({ progress: null }))
    return {
      stuck: stuck.reduce((n, b) => n + b.rowIds.length, 0),
      settledJobs: uniqueJobs(await db.settled.toArray())
    }
  })
}

/**
 * The next batches, up to `count` of at most `size` rows (see `sync-pick.ts` for which rows),
 * recorded as in flight in the caller's transaction. Nothing a reader sees changes yet: the
 * rows were hidden when queued, and a page fetched meanwhile is refused while a batch of its
 * job is in flight.
 */
export async function pickBatches(
  deps: BatchDeps,
  size: number,
  count: number,
  ready: Ready,
  cursor: PickCursor
): Promise<Batch[]> {
  const { db } = deps
  const now = deps.clock.now()
  const context = await pickContext(db)
  const batches: Batch[] = []
  while (batches.length < count) {
    // One read for as many batches of one job as it has rows for.
    const due = await dueRows(db, cursor, size * (count - batches.length), now, ready, context)
    if (!due) break
    for (const id of due.rowIds) context.flying.add(id)
    const prefix = outboxId(due.connectionId, due.jobId, '')
    for (let i = 0; i < due.rowIds.length; i += size) {
      const rowIds = due.rowIds.slice(i, i + size)
      batches.push({
        id: crypto.randomUUID(),
        connectionId: due.connectionId,
        jobId: due.jobId,
        rowIds,
        sampleIds: rowIds.map((id) => id.slice(prefix.length))
      })
    }
  }
  await db.inflight.bulkAdd(
    batches.map((b) => ({
      id: b.id,
      connectionId: b.connectionId,
      jobId: b.jobId,
      rowIds: b.rowIds,
      startedAt: now
    }))
  )
  return batches
}

/**
 * Where a drain stands: rows answered so far and rows it expects to send, and what the
 * runner's note in `syncState` should say. Answers are noted at most every `NOTE_EVERY_MS`
 * (two requests saved on most batches); failures at once; the rest when the drain ends.
 */
export interface Progress {
  sent: number
  total: number
  notedAt: number | null
  lastSyncAt: number | null
  lastError: SyncStateRow['lastError']
}

const NOTE_EVERY_MS = 250

export const newProgress = (total: number): Progress => ({
  sent: 0,
  total,
  notedAt: null,
  lastSyncAt: null,
  lastError: null
})

/** The runner's progress note, as the indicator shows it, once `more` rows were answered. */
function progressNote(state: SyncStateRow, progress: Progress, more: number, now: number) {
  const done = progress.sent + more
  return {
    done,
    total: Math.max(progress.total, done),
    startedAt: state.progress?.startedAt ?? now
  }
}

/** A drain begins: the indicator shows 0 of `total` until the first answer. */
export function startProgress(db: TagdeckDb, progress: Progress, now: number): Promise<void> {
  return db.transaction('rw', db.syncState, () =>
    updateState(db, (state) => ({ progress: progressNote(state, progress, 0, now) }))
  )
}

/** A row put back for a later attempt: backoff grows with the attempts that failed. */
function later(deps: BatchDeps, row: OutboxRow, now: number, lastError: OutboxError | null) {
  const attempts = row.attempts + 1
  return {
    ...row,
    status: 'queued' as const,
    attempts,
    nextAttemptAt: now + backoffDelay(attempts, deps.random, deps.backoff),
    updatedAt: now,
    lastError
  }
}

/** A batch the service answered, with its per-item outcomes. */
export interface Answered {
  batch: Batch
  outcomes: DeleteOutcome[]
}

/**
 * Applies per-item outcomes of answered batches, in the caller's transaction (`writeScope`):
 * confirmed rows leave the outbox for one settled record per job, refused ones are marked
 * failed, missing ones go back to the queue. The batches are no longer in flight.
 */
export async function settleBatches(
  deps: BatchDeps,
  answered: readonly Answered[],
  progress: Progress
) {
  const { db } = deps
  const counts = { done: 0, failed: 0, retried: 0 }
  const now = deps.clock.now()
  const kept: OutboxRow[] = []
  const withOutcomes = answered.map(({ batch, outcomes }) => ({ ...batch, outcomes }))
  for (const { rows: group, ...job } of groupByJob(withOutcomes)) {
    // Per job: two jobs may hold samples of the same id.
    const outcome = new Map(group.flatMap((b) => b.outcomes).map((o) => [o.id, o]))
    const { rows, remove } = await readRows(
      db,
      group.flatMap((b) => b.rowIds)
    )
    const done: OutboxRow[] = []
    for (const row of rows) {
      const o = outcome.get(row.sampleId)
      if (o && isGone(o)) done.push(row)
      else if (o) {
        const error = {
          code: o.code ?? 'service',
          message: o.message ?? 'The service did not delete this image'
        }
        kept.push({
          ...row,
          status: 'failed',
          attempts: row.attempts + 1,
          updatedAt: now,
          lastError: error
        })
      } else kept.push(later(deps, row, now, row.lastError))
    }
    counts.done += done.length
    await remove()
    if (done.length > 0)
      await db.settled.add({
        id: group[0].id,
        ...job,
        rows: done.map(({ sampleId, tags, boxTags }) => ({ sampleId, tags, boxTags })),
        at: now
      })
    await touchJob(db, job, { generation: true })
  }
  counts.failed = kept.filter((r) => r.status === 'failed').length
  counts.retried = kept.length - counts.failed
  // Put back after the deletes above, which took every row of the batches out.
  if (kept.length > 0) await db.outbox.bulkPut(kept)
  await db.inflight.bulkDelete(answered.map((a) => a.batch.id))
  const firstError = kept.find((r) => r.status === 'failed')?.lastError ?? null
  if (counts.done > 0) progress.lastSyncAt = now
  progress.lastError = firstError ? { ...firstError, at: now } : null
  if (firstError || progress.notedAt === null || now - progress.notedAt >= NOTE_EVERY_MS) {
    progress.notedAt = now
    const rows = answered.reduce((n, a) => n + a.batch.rowIds.length, 0)
    await updateState(db, (state) => ({
      lastSyncAt: progress.lastSyncAt ?? state.lastSyncAt,
      lastError: progress.lastError,
      progress: progressNote(state, progress, rows, now)
    }))
  }
  return counts
}

/**
 * The outbox rows of answered batches, and how to take them all out. A selection queued at
 * once goes out in id order, so its rows usually fill a key range by themselves: then one
 * range read and one range delete (row by row costs Chromium ~0.15 ms a row); else they are
 * read and deleted by id.
 */
async function readRows(db: TagdeckDb, rowIds: readonly string[]) {
  const ids = [...rowIds].sort()
  const range = db.outbox.where(':id').between(ids[0], ids[ids.length - 1], true, true)
  const inRange = await range.toArray()
  if (inRange.length === ids.length && inRange.every((r, i) => r.id === ids[i]))
    return { rows: inRange, remove: () => range.delete() }
  const rows = (await db.outbox.bulkGet(ids)).filter((r): r is OutboxRow => r !== undefined)
  return { rows, remove: () => db.outbox.bulkDelete(ids) }
}

/**
 * A whole call failed: pause (auth), back off (network, 429, 5xx) or mark failed. In the
 * caller's transaction (`writeScope`).
 */
export async function failBatch(
  deps: BatchDeps,
  batch: Batch,
  error: unknown,
  progress: Progress
): Promise<{ kind: Failure; rows: number }> {
  const { db } = deps
  const kind = classify(error)
  const reason = describe(error)
  const now = deps.clock.now()
  await db.inflight.delete(batch.id)
  const sent = (await db.outbox.bulkGet(batch.rowIds)).filter(
    (r): r is OutboxRow => r !== undefined
  )
  const tried = sent.map((r) => ({ ...r, attempts: r.attempts + 1, lastError: reason }))
  let rows: OutboxRow[]
  if (kind === 'auth') {
    const message = 'Sign in again: the service refused our credentials'
    await db.pauses.put({ connectionId: batch.connectionId, reason: 'auth', message, since: now })
    // Rows of another batch still in flight stay as they are: its answer settles them.
    const skip = await flyingIds(db, batch.connectionId)
    for (const id of batch.rowIds) skip.add(id)
    const waiting = (
      await db.outbox
        .where('[connectionId+status]')
        .equals([batch.connectionId, 'queued'])
        .toArray()
    ).filter((r) => !skip.has(r.id))
    rows = [...tried, ...waiting].map((r) => ({
      ...r,
      status: 'paused',
      updatedAt: now,
      lastError: reason
    }))
  } else if (kind === 'retry') {
    rows = sent.map((r) => later(deps, r, now, reason))
  } else {
    rows = tried.map((r) => ({ ...r, status: 'failed', updatedAt: now }))
  }
  await db.outbox.bulkPut(rows)
  await touchJob(db, batch, { generation: true })
  progress.lastError = { ...reason, at: now }
  progress.notedAt = now
  await updateState(db, (state) => ({
    lastError: progress.lastError,
    progress: progressNote(state, progress, batch.rowIds.length, now)
  }))
  return { kind, rows: rows.length }
}

/** The drain ended: its last answers are noted and the progress goes away. */
export function finishProgress(db: TagdeckDb, progress: Progress): Promise<void> {
  return db.transaction('rw', db.syncState, () =>
    updateState(db, (state) => ({
      progress: null,
      lastSyncAt: progress.lastSyncAt ?? state.lastSyncAt,
      lastError: progress.notedAt === null ? state.lastError : progress.lastError
    }))
  )
}

export function noteError(db: TagdeckDb, error: unknown, now: number): Promise<void> {
  return db.transaction('rw', db.syncState, () =>
    updateState(db, () => ({ lastError: { ...describe(error), at: now } }))
  )
}

/** Confirmed deletions of a job are folded into its cached pages (which shift up). */
export async function rebaseIfDone(db: TagdeckDb, job: JobKey, now: number): Promise<void> {
  await db.transaction('rw', writeScope(db), async () => {
    if (await hasSettled(db, job)) await rebaseJob(db, job, now)
  })
}

/** Back online: rows of the connection waiting out a backoff are due now. */
export async function dueNow(db: TagdeckDb, connectionId: string, now: number): Promise<void> {
  await db.transaction('rw', db.outbox, async () => {
    for (const job of await outboxJobs(db)) {
      if (job.connectionId !== connectionId) continue
      await db.outbox
        .where(DUE_INDEX)
        .between(
          [connectionId, job.jobId, 'queued', now, Dexie.maxKey],
          [connectionId, job.jobId, 'queued', Dexie.maxKey],
          false,
          true
        )
        .modify({ nextAttemptAt: now })
    }
  })
}

/** Batches picked but never sent: their rows are simply queued again (caller's transaction). */
export async function releaseBatches(db: TagdeckDb, batches: readonly Batch[]): Promise<void> {
  await db.inflight.bulkDelete(batches.map((b) => b.id))
}
