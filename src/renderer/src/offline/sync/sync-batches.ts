import { Dexie } from 'dexie'
import type { DeleteOutcome } from '../../../../shared/domain'
import { TagdeckError } from '../../../../shared/errors'
import { flyingIds, hasSettled } from '../store/batches'
import {
  advance,
  dueGroups,
  outboxJobs,
  pickContext,
  type PickCursor,
  type Ready
} from './sync-pick'
import type {
  JobKey,
  OutboxError,
  OutboxRow,
  QueuedSample,
  SyncStateRow,
  TagdeckDb
} from '../store/db'
import {
  DUE_INDEX,
  groupByJob,
  groupId,
  groupsWithStatus,
  OUTBOX_GROUP,
  samplesIn,
  touchJob
} from '../store/db'
import type { Clock } from '../../../../shared/clock'
import { backoffDelay, type BackoffPolicy } from '../../../../shared/backoff'
import { describe } from '../errors'
import { rebaseJob, writeScope } from '../hiding/listing'

/**
 * The outbox groups' transitions while sending: queued -> in flight (one `inflight` record per
 * batch of groups) -> settled (out of the outbox, one `settled` record per job and
 * transaction) | failed | queued (later) | paused. A group whose samples fare differently is
 * split by fate. Picking, settling and failing run in the sync engine's transactions (one per
 * handful of answers, never spanning a request); the service is called between them.
 */

export interface BatchDeps {
  db: TagdeckDb
  clock: Clock
  random: () => number
  backoff: BackoffPolicy
}

/** One DeleteSamples call: whole outbox groups of one job, at most `OUTBOX_GROUP` samples. */
export interface Batch extends JobKey {
  /** Its `inflight` record. */
  id: string
  sampleIds: string[]
  /**
   * The groups as picked. Nothing changes a group in flight (undo skips it, only its answer or
   * its failure settles it), so both are applied to these, without reading them again.
   */
  groups: OutboxRow[]
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
 * Batches left in flight (the runner died) are dropped: their groups are still queued and
 * due, so they go out again. Returns how many samples that was, and the jobs with settled
 * batches.
 */
export async function releaseStuck(db: TagdeckDb) {
  return db.transaction('rw', writeScope(db), async () => {
    const stuck = await db.inflight.toArray()
    await db.inflight.clear()
    for (const job of uniqueJobs(stuck)) await touchJob(db, job, { generation: true })
    await updateState(db, () => ({ progress: null }))
    return {
      stuck: samplesIn(stuck),
      settledJobs: uniqueJobs(await db.settled.toArray())
    }
  })
}

/**
 * The next batches, up to `count`, recorded as in flight in the caller's transaction: due
 * groups of one job (see `sync-pick.ts` for which) packed in due order, whole, into batches of
 * at most `OUTBOX_GROUP` samples. Nothing a reader sees changes yet: the samples were hidden
 * when queued, and a page fetched meanwhile is refused while a batch of its job is in flight.
 */
export async function pickBatches(
  deps: BatchDeps,
  count: number,
  ready: Ready,
  cursor: PickCursor
): Promise<Batch[]> {
  const { db } = deps
  const now = deps.clock.now()
  const context = await pickContext(db)
  const batches: Batch[] = []
  let open: Batch | null = null
  // A selection's groups are full (one a batch); single deletes are groups of one, so the
  // read grows while they keep coming.
  let limit = count
  for (let full = false; !full;) {
    const due = await dueGroups(db, cursor, limit, now, ready, context)
    if (!due) break
    for (const group of due.groups) {
      const fits =
        open !== null &&
        open.jobId === due.job.jobId &&
        open.connectionId === due.job.connectionId &&
        open.sampleIds.length + group.keys.length <= OUTBOX_GROUP
      if (!fits) {
        if (batches.length === count) {
          full = true
          break
        }
        open = { id: crypto.randomUUID(), ...due.job, sampleIds: [], groups: [] }
        batches.push(open)
      }
      const batch = open as Batch
      batch.groups.push(group)
      for (const sample of group.samples) batch.sampleIds.push(sample.sampleId)
      context.flying.add(group.id)
      advance(cursor, due.job, group)
    }
    limit = Math.min(limit * 4, OUTBOX_GROUP)
  }
  await db.inflight.bulkAdd(
    batches.map((b) => ({
      id: b.id,
      connectionId: b.connectionId,
      jobId: b.jobId,
      groupIds: b.groups.map((g) => g.id),
      size: b.sampleIds.length,
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

/** A group put back for a later attempt: backoff grows with the attempts that failed. */
function later(deps: BatchDeps, group: OutboxRow, now: number, lastError: OutboxError | null) {
  const attempts = group.attempts + 1
  return {
    ...group,
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
 * confirmed samples leave the outbox for one settled record per job, refused ones stay as
 * failed (a group per error message), missing ones go back to the queue. A group whose samples
 * all fare alike keeps its id. The batches are no longer in flight.
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
  const taken: string[] = []
  const withOutcomes = answered.map(({ batch, outcomes }) => ({ ...batch, outcomes }))
  for (const { rows: batches, ...job } of groupByJob(withOutcomes)) {
    // Per job: two jobs may hold samples of the same id.
    const outcome = new Map(batches.flatMap((b) => b.outcomes).map((o) => [o.id, o]))
    const done: QueuedSample[] = []
    for (const group of batches.flatMap((b) => b.groups)) {
      taken.push(group.id)
      const fates = new Map<string, { fate: OutboxRow; keys: string[]; samples: QueuedSample[] }>()
      group.samples.forEach((sample, i) => {
        const o = outcome.get(sample.sampleId)
        if (o && isGone(o)) return void done.push(sample)
        const error = o && {
          code: o.code ?? 'service',
          message: o.message ?? 'The service did not delete this image'
        }
        const fate: OutboxRow = error
          ? {
              ...group,
              status: 'failed',
              attempts: group.attempts + 1,
              updatedAt: now,
              lastError: error
            }
          : later(deps, group, now, group.lastError)
        const key = error ? `failed ${error.code} ${error.message}` : 'later'
        const part = fates.get(key) ?? { fate, keys: [], samples: [] }
        part.keys.push(group.keys[i])
        part.samples.push(sample)
        fates.set(key, part)
      })
      ;[...fates.values()].forEach(({ fate, keys, samples }, i) => {
        // The first part keeps the group's id; a split gives the others ids of their own.
        const id = i === 0 ? group.id : groupId(group.createdAt)
        kept.push({ ...fate, id, keys, samples, size: keys.length })
        if (fate.status === 'failed') counts.failed += keys.length
        else counts.retried += keys.length
      })
    }
    counts.done += done.length
    if (done.length > 0)
      await db.settled.add({
        id: batches[0].id,
        ...job,
        rows: done.map(({ sampleId, tags, boxTags }) => ({ sampleId, tags, boxTags })),
        at: now
      })
    await touchJob(db, job, { generation: true })
  }
  await db.outbox.bulkDelete(taken)
  // Put back after the deletes above, which took every group of the batches out.
  if (kept.length > 0) await db.outbox.bulkPut(kept)
  await db.inflight.bulkDelete(answered.map((a) => a.batch.id))
  const firstError = kept.find((r) => r.status === 'failed')?.lastError ?? null
  if (counts.done > 0) progress.lastSyncAt = now
  progress.lastError = firstError ? { ...firstError, at: now } : null
  if (firstError || progress.notedAt === null || now - progress.notedAt >= NOTE_EVERY_MS) {
    progress.notedAt = now
    const rows = answered.reduce((n, a) => n + a.batch.sampleIds.length, 0)
    await updateState(db, (state) => ({
      lastSyncAt: progress.lastSyncAt ?? state.lastSyncAt,
      lastError: progress.lastError,
      progress: progressNote(state, progress, rows, now)
    }))
  }
  return counts
}

/**
 * A whole call failed: pause (auth), back off (network, 429, 5xx) or mark failed. In the
 * caller's transaction (`writeScope`). Returns the kind and how many samples it concerned.
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
  const sent = batch.groups
  const tried = sent.map((g) => ({ ...g, attempts: g.attempts + 1, lastError: reason }))
  let groups: OutboxRow[]
  if (kind === 'auth') {
    const message = 'Sign in again: the service refused our credentials'
    await db.pauses.put({ connectionId: batch.connectionId, reason: 'auth', message, since: now })
    // Groups of another batch still in flight stay as they are: its answer settles them.
    const skip = await flyingIds(db, batch.connectionId)
    for (const group of sent) skip.add(group.id)
    const waiting = (await groupsWithStatus(db, batch.connectionId, 'queued').toArray()).filter(
      (g) => !skip.has(g.id)
    )
    groups = [...tried, ...waiting].map((g) => ({
      ...g,
      status: 'paused',
      updatedAt: now,
      lastError: reason
    }))
  } else if (kind === 'retry') {
    groups = sent.map((g) => later(deps, g, now, reason))
  } else {
    groups = tried.map((g) => ({ ...g, status: 'failed', updatedAt: now }))
  }
  await db.outbox.bulkPut(groups)
  await touchJob(db, batch, { generation: true })
  progress.lastError = { ...reason, at: now }
  progress.notedAt = now
  await updateState(db, (state) => ({
    lastError: progress.lastError,
    progress: progressNote(state, progress, batch.sampleIds.length, now)
  }))
  return { kind, rows: samplesIn(groups) }
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

/** Back online: groups of the connection waiting out a backoff are due now. */
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

/** Batches picked but never sent: their groups are simply queued again (caller's transaction). */
export async function releaseBatches(db: TagdeckDb, batches: readonly Batch[]): Promise<void> {
  await db.inflight.bulkDelete(batches.map((b) => b.id))
}
