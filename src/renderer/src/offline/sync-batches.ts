import { Dexie } from 'dexie'
import type { DeleteOutcome } from '../../../shared/domain'
import { TagdeckError } from '../../../shared/errors'
import type { JobKey, OutboxRow, SyncStateRow, TagdeckDb } from './db'
import { touchJob } from './db'
import type { Clock } from './deps'
import { backoffDelay, type BackoffPolicy } from './backoff'
import { describe } from './errors'
import { doneRows, rebaseJob, writeScope } from './listing'

/**
 * The outbox rows' transitions while sending, each one Dexie transaction (never spanning the
 * request): queued -> sending -> done | failed | queued (later) | paused. The sync engine
 * calls them in order; the service is called between them, outside any transaction.
 */

export interface BatchDeps {
  db: TagdeckDb
  clock: Clock
  random: () => number
  backoff: BackoffPolicy
}

export interface Batch extends JobKey {
  rows: OutboxRow[]
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

export function uniqueJobs(rows: readonly OutboxRow[]): JobKey[] {
  const jobs = new Map<string, JobKey>()
  for (const r of rows) {
    jobs.set(`${r.connectionId}/${r.jobId}`, { connectionId: r.connectionId, jobId: r.jobId })
  }
  return [...jobs.values()]
}

const statusRange = (db: TagdeckDb, status: OutboxRow['status']) =>
  db.outbox.where('[status+createdAt]').between([status, Dexie.minKey], [status, Dexie.maxKey])

/** Rows left `sending` (the runner died) go back to the queue, due now. */
export async function releaseStuck(db: TagdeckDb, now: number) {
  return db.transaction('rw', writeScope(db), async () => {
    const stuck = await statusRange(db, 'sending').toArray()
    await db.outbox.bulkPut(
      stuck.map((r) => ({ ...r, status: 'queued' as const, nextAttemptAt: now, updatedAt: now }))
    )
    for (const job of uniqueJobs(stuck)) await touchJob(db, job, { generation: true })
    await updateState(db, () => ({ progress: null }))
    const done = await statusRange(db, 'done').toArray()
    return { stuck: stuck.length, doneJobs: uniqueJobs(done) }
  })
}

export type Sendable = (row: OutboxRow, now: number, paused: Set<string>) => boolean

export async function pausedConnections(db: TagdeckDb): Promise<Set<string>> {
  return new Set((await db.pauses.toArray()).map((p) => p.connectionId))
}

export async function countDue(db: TagdeckDb, now: number, sendable: Sendable) {
  const paused = await pausedConnections(db)
  return statusRange(db, 'queued')
    .filter((r) => sendable(r, now, paused))
    .count()
}

/** The oldest due rows of one job, marked `sending` in the same transaction. */
export async function pickBatch(
  deps: BatchDeps,
  size: number,
  sendable: Sendable,
  progress: { sent: number; total: number }
): Promise<Batch | null> {
  const { db } = deps
  return db.transaction('rw', [db.outbox, db.jobs, db.pauses, db.syncState], async () => {
    const now = deps.clock.now()
    const paused = await pausedConnections(db)
    const first = await statusRange(db, 'queued')
      .filter((r) => sendable(r, now, paused))
      .first()
    if (!first) return null
    const rows = await db.outbox
      .where('[connectionId+jobId+status+createdAt]')
      .between(
        [first.connectionId, first.jobId, 'queued', Dexie.minKey],
        [first.connectionId, first.jobId, 'queued', Dexie.maxKey]
      )
      .filter((r) => r.nextAttemptAt <= now)
      .limit(size)
      .toArray()
    const sending = rows.map((r) => ({
      ...r,
      status: 'sending' as const,
      attempts: r.attempts + 1,
      updatedAt: now
    }))
    await db.outbox.bulkPut(sending)
    await touchJob(db, first, { generation: true })
    await updateState(db, (state) => ({
      progress: {
        done: progress.sent,
        total: Math.max(progress.total, progress.sent + rows.length),
        startedAt: state.progress?.startedAt ?? now
      }
    }))
    return { connectionId: first.connectionId, jobId: first.jobId, rows: sending }
  })
}

/** Applies per-item outcomes: confirmed -> done, refused -> failed, missing -> retried. */
export async function settleBatch(deps: BatchDeps, batch: Batch, outcomes: DeleteOutcome[]) {
  const { db } = deps
  const counts = { done: 0, failed: 0, retried: 0 }
  const byId = new Map(outcomes.map((o) => [o.id, o]))
  await db.transaction('rw', writeScope(db), async () => {
    const now = deps.clock.now()
    const rows = batch.rows.map((row): OutboxRow => {
      const outcome = byId.get(row.sampleId)
      if (outcome && isGone(outcome)) {
        counts.done += 1
        return { ...row, status: 'done', updatedAt: now, lastError: null }
      }
      if (outcome) {
        counts.failed += 1
        const error = {
          code: outcome.code ?? 'service',
          message: outcome.message ?? 'The service did not delete this image'
        }
        return { ...row, status: 'failed', updatedAt: now, lastError: error }
      }
      counts.retried += 1
      const nextAttemptAt = now + backoffDelay(row.attempts, deps.random, deps.backoff)
      return { ...row, status: 'queued', nextAttemptAt, updatedAt: now }
    })
    await db.outbox.bulkPut(rows)
    await touchJob(db, batch, { generation: true })
    const firstError = rows.find((r) => r.status === 'failed')?.lastError ?? null
    await updateState(db, (state) => ({
      lastSyncAt: counts.done > 0 ? now : state.lastSyncAt,
      lastError: firstError ? { ...firstError, at: now } : null,
      progress: state.progress && {
        ...state.progress,
        done: state.progress.done + batch.rows.length
      }
    }))
  })
  return counts
}

/** A whole call failed: pause (auth), back off (network, 429, 5xx) or mark failed. */
export async function failBatch(
  deps: BatchDeps,
  batch: Batch,
  error: unknown
): Promise<{ kind: Failure; rows: number }> {
  const { db } = deps
  const kind = classify(error)
  const reason = describe(error)
  const rows = await db.transaction('rw', writeScope(db), async () => {
    const now = deps.clock.now()
    let rows: OutboxRow[]
    if (kind === 'auth') {
      const message = 'Sign in again: the service refused our credentials'
      await db.pauses.put({ connectionId: batch.connectionId, reason: 'auth', message, since: now })
      const waiting = await db.outbox
        .where('[connectionId+status]')
        .equals([batch.connectionId, 'queued'])
        .toArray()
      rows = [...batch.rows, ...waiting].map((r) => ({
        ...r,
        status: 'paused',
        updatedAt: now,
        lastError: reason
      }))
    } else if (kind === 'retry') {
      rows = batch.rows.map((r) => ({
        ...r,
        status: 'queued',
        nextAttemptAt: now + backoffDelay(r.attempts, deps.random, deps.backoff),
        updatedAt: now,
        lastError: reason
      }))
    } else {
      rows = batch.rows.map((r) => ({ ...r, status: 'failed', updatedAt: now, lastError: reason }))
    }
    await db.outbox.bulkPut(rows)
    await touchJob(db, batch, { generation: true })
    await updateState(db, () => ({ lastError: { ...reason, at: now } }))
    return rows.length
  })
  return { kind, rows }
}

export function clearProgress(db: TagdeckDb): Promise<void> {
  return db.transaction('rw', db.syncState, () => updateState(db, () => ({ progress: null })))
}

export function noteError(db: TagdeckDb, error: unknown, now: number): Promise<void> {
  return db.transaction('rw', db.syncState, () =>
    updateState(db, () => ({ lastError: { ...describe(error), at: now } }))
  )
}

/** Confirmed deletions of a job leave the outbox and the cached pages shift up. */
export async function rebaseIfDone(db: TagdeckDb, job: JobKey, now: number): Promise<void> {
  await db.transaction('rw', writeScope(db), async () => {
    if ((await doneRows(db, job)).length > 0) await rebaseJob(db, job, now)
  })
}

/** Back online: rows of the connection waiting out a backoff are due now. */
export async function dueNow(db: TagdeckDb, connectionId: string, now: number): Promise<void> {
  await db.outbox
    .where('[connectionId+status]')
    .equals([connectionId, 'queued'])
    .modify((r) => {
      if (r.nextAttemptAt > now) r.nextAttemptAt = now
    })
}
