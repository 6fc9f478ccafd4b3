import { Dexie } from 'dexie'
import { flyingIds } from './batches'
import type { JobKey, OutboxRow, OutboxStatus, StoredStatus, TagdeckDb } from './db'
import { groupByJob, outboxId, touchJob } from './db'
import type { Clock } from './deps'
import { cachedSamples, hideInListings, unhideInListings, writeScope } from './listing'

/**
 * The outbox: the only writer of deletions. Queueing writes one row per sample and hides the
 * samples from every cached page and count in the same transaction, so a crash can lose
 * neither the intent nor the hiding. The sync engine sends the rows; until a row is being
 * sent it can be undone.
 */

export interface QueueResult {
  /** Outbox row ids, one per newly queued sample (pass them to `undo`). */
  rowIds: string[]
  /** Samples that were queued already (nothing changed for them). */
  alreadyQueued: string[]
}

/**
 * Queues deletions and hides the samples, in one transaction. `holdMs` keeps the rows from
 * being sent for a moment even online, so "Undo" right after a delete still works.
 */
export async function queueDeletions(
  db: TagdeckDb,
  clock: Clock,
  job: JobKey,
  sampleIds: readonly string[],
  holdMs = 0
): Promise<QueueResult> {
  const unique = [...new Set(sampleIds)]
  return db.transaction('rw', writeScope(db), async () => {
    const now = clock.now()
    const ids = unique.map((s) => outboxId(job.connectionId, job.jobId, s))
    const existing = await db.outbox.bulkGet(ids)
    const samples = await cachedSamples(db, job, unique)
    const paused = (await db.pauses.get(job.connectionId)) !== undefined
    const rows: OutboxRow[] = []
    const alreadyQueued: string[] = []
    unique.forEach((sampleId, i) => {
      if (existing[i]) return void alreadyQueued.push(sampleId)
      const sample = samples.get(sampleId)?.sample
      rows.push({
        id: ids[i],
        connectionId: job.connectionId,
        jobId: job.jobId,
        sampleId,
        status: paused ? 'paused' : 'queued',
        attempts: 0,
        nextAttemptAt: now + holdMs,
        createdAt: now,
        updatedAt: now,
        lastError: null,
        name: sample?.name ?? null,
        tags: sample ? sample.tags : null,
        boxTags: sample ? sample.boxes.map((b) => b.tag) : []
      })
    })
    if (rows.length > 0) {
      await db.outbox.bulkAdd(rows)
      await hideInListings(db, job, rows)
      await touchJob(db, job, {})
    }
    return { rowIds: rows.map((r) => r.id), alreadyQueued }
  })
}

export interface RemoveResult {
  /** Rows removed: their samples are back in the job. */
  removed: string[]
  /** Rows being sent or already sent (or unknown): nothing to take back. */
  tooLate: string[]
}

async function takeBack(db: TagdeckDb, rowIds: readonly string[]): Promise<RemoveResult> {
  return db.transaction('rw', writeScope(db), async () => {
    const rows = await db.outbox.bulkGet([...rowIds])
    const flying = await flyingIds(db)
    const removed: OutboxRow[] = []
    const tooLate: string[] = []
    rows.forEach((row, i) => {
      if (row && !flying.has(row.id)) removed.push(row)
      else tooLate.push(rowIds[i])
    })
    await db.outbox.bulkDelete(removed.map((r) => r.id))
    for (const job of groupByJob(removed)) {
      await unhideInListings(
        db,
        job,
        job.rows.map((r) => r.sampleId)
      )
      await touchJob(db, job, {})
    }
    return { removed: removed.map((r) => r.id), tooLate }
  })
}

/** Takes back deletions not sent yet; restores the samples in every cached page and count. */
export function undo(db: TagdeckDb, rowIds: readonly string[]): Promise<RemoveResult> {
  return takeBack(db, rowIds)
}

/** Gives up on deletions (typically failed ones): the samples stay, on the service and here. */
export function discard(db: TagdeckDb, rowIds: readonly string[]): Promise<RemoveResult> {
  return takeBack(db, rowIds)
}

/** Sends failed rows again. Returns how many were re-queued. */
export async function retry(
  db: TagdeckDb,
  clock: Clock,
  rowIds: readonly string[]
): Promise<number> {
  return db.transaction('rw', db.outbox, db.pauses, async () => {
    const now = clock.now()
    const rows = (await db.outbox.bulkGet([...rowIds])).filter(
      (r): r is OutboxRow => r?.status === 'failed'
    )
    const paused = new Set((await db.pauses.toArray()).map((p) => p.connectionId))
    await db.outbox.bulkPut(
      rows.map((r) => ({
        ...r,
        status: paused.has(r.connectionId) ? ('paused' as const) : ('queued' as const),
        attempts: 0,
        nextAttemptAt: now,
        updatedAt: now,
        lastError: null
      }))
    )
    return rows.length
  })
}

/** Lifts a connection's pause (the user signed in again): its rows go back to the queue. */
export async function resumeConnection(db: TagdeckDb, clock: Clock, connectionId: string) {
  return db.transaction('rw', db.outbox, db.pauses, async () => {
    const now = clock.now()
    await db.pauses.delete(connectionId)
    return db.outbox
      .where('[connectionId+status]')
      .equals([connectionId, 'paused'])
      .modify({ status: 'queued', nextAttemptAt: now, updatedAt: now, lastError: null })
  })
}

// ---- reads for the "Pending changes" panel, the indicator and the quit warning ------------
// Plain Dexie reads: wrap them in `liveQuery` / `useLiveQuery` to follow changes (any window).

/** A row as the panel shows it: `sending` when its batch is in flight. */
export type PanelRow = Omit<OutboxRow, 'status'> & { status: OutboxStatus }

export interface PendingCounts {
  queued: number
  sending: number
  failed: number
  paused: number
  /** Will reach the service by themselves (queued + sending + paused): the quit warning. */
  willSync: number
}

const STORED: readonly StoredStatus[] = ['queued', 'failed', 'paused']

function statusRange(db: TagdeckDb, status: StoredStatus, connectionId?: string) {
  if (connectionId === undefined) {
    return db.outbox
      .where('[status+createdAt]')
      .between([status, Dexie.minKey], [status, Dexie.maxKey])
  }
  return db.outbox.where('[connectionId+status]').equals([connectionId, status])
}

/** Rows in flight are stored as queued: they count as sending, not as queued. */
export async function pendingCounts(db: TagdeckDb, connectionId?: string): Promise<PendingCounts> {
  const [[queued, failed, paused], flying] = await Promise.all([
    Promise.all(STORED.map((s) => statusRange(db, s, connectionId).count())),
    flyingIds(db, connectionId)
  ])
  const sending = flying.size
  return {
    queued: Math.max(0, queued - sending),
    sending,
    failed,
    paused,
    willSync: queued + paused
  }
}

/** Rows of one status, oldest first, for the panel (`limit` keeps a huge queue cheap). */
export async function pendingRows(
  db: TagdeckDb,
  status: OutboxStatus,
  limit = 200
): Promise<PanelRow[]> {
  if (status === 'failed' || status === 'paused')
    return statusRange(db, status).limit(limit).toArray()
  const flying = await flyingIds(db)
  if (status === 'sending') {
    const rows = await db.outbox.bulkGet([...flying].slice(0, limit))
    return rows.flatMap((r) => (r ? [{ ...r, status: 'sending' as const }] : []))
  }
  const rows = await statusRange(db, 'queued')
    .limit(limit + flying.size)
    .toArray()
  return rows.filter((r) => !flying.has(r.id)).slice(0, limit)
}
