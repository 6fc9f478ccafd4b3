import { Dexie } from 'dexie'
import { flyingIds } from '../store/batches'
import type {
  DeletionState,
  JobKey,
  OutboxRow,
  OutboxStatus,
  QueuedSample,
  StoredStatus,
  TagdeckDb
} from '../store/db'
import {
  COUNT_INDEX,
  groupByJob,
  groupId,
  groupsHolding,
  groupsWithStatus,
  OUTBOX_GROUP,
  outboxId,
  queuedKeys,
  samplesIn,
  touchJob
} from '../store/db'
import type { Clock } from '../../../../shared/clock'
import { cachedSamples, hideInListings, unhideInListings, writeScope } from '../hiding/listing'
import { pagesHolding } from '../replica/held'
import { logDeletions, unlogDeletions } from '../report/log'

/**
 * The outbox: the only writer of deletions. Queueing writes the samples in groups (`OutboxRow`:
 * up to 100 of one job per record) and hides them from every cached page and count in the same
 * transaction, so a crash can lose neither the intent nor the hiding. Callers hold one deletion
 * id per sample (`outboxId`); undo, discard and retry take any of them, splitting a group when
 * they take part of it. The sync engine sends the groups; until a group is being sent its
 * samples can be undone.
 */

export interface QueueResult {
  /** Deletion ids, one per newly queued sample (pass them to `undo`). */
  deletionIds: string[]
  /** Samples that were queued already (nothing changed for them). */
  alreadyQueued: string[]
}

/**
 * Queues deletions and hides the samples, in one transaction. `holdMs` keeps them from being
 * sent for a moment even online, so "Undo" right after a delete still works.
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
    const existing = await queuedKeys(db, ids)
    // Read once: the samples' cached tags, and the pages they are hidden from below.
    const holding = await pagesHolding(db, job, new Set(unique))
    const samples = await cachedSamples(db, job, unique, holding)
    const paused = (await db.pauses.get(job.connectionId)) !== undefined
    const fresh: QueuedSample[] = []
    const deletionIds: string[] = []
    const alreadyQueued: string[] = []
    unique.forEach((sampleId, i) => {
      if (existing.has(ids[i])) return void alreadyQueued.push(sampleId)
      const sample = samples.get(sampleId)?.sample
      deletionIds.push(ids[i])
      fresh.push({
        sampleId,
        name: sample?.name ?? null,
        tags: sample ? sample.tags : null,
        boxTags: sample ? sample.boxes.map((b) => b.tag) : []
      })
    })
    if (fresh.length === 0) return { deletionIds, alreadyQueued }
    const groups: OutboxRow[] = []
    for (let i = 0; i < fresh.length; i += OUTBOX_GROUP) {
      groups.push({
        ...job,
        id: groupId(now),
        keys: deletionIds.slice(i, i + OUTBOX_GROUP),
        samples: fresh.slice(i, i + OUTBOX_GROUP),
        size: Math.min(OUTBOX_GROUP, fresh.length - i),
        status: paused ? 'paused' : 'queued',
        attempts: 0,
        nextAttemptAt: now + holdMs,
        createdAt: now,
        updatedAt: now,
        lastError: null
      })
    }
    await db.outbox.bulkAdd(groups)
    await logDeletions(db, job, fresh, now)
    await hideInListings(db, job, fresh, holding)
    await touchJob(db, job, {})
    return { deletionIds, alreadyQueued }
  })
}

/**
 * A group cut in two: the samples `chosen` picks (`taken`) and the others (`rest`, which keeps
 * the group's id). Either may be null; a whole group taken keeps its id.
 */
export function carve(
  group: OutboxRow,
  chosen: (key: string, sample: QueuedSample) => boolean
): { taken: OutboxRow | null; rest: OutboxRow | null } {
  const taken = { keys: [] as string[], samples: [] as QueuedSample[] }
  const rest = { keys: [] as string[], samples: [] as QueuedSample[] }
  group.keys.forEach((key, i) => {
    const side = chosen(key, group.samples[i]) ? taken : rest
    side.keys.push(key)
    side.samples.push(group.samples[i])
  })
  if (rest.keys.length === 0) return { taken: group, rest: null }
  if (taken.keys.length === 0) return { taken: null, rest: group }
  return {
    taken: { ...group, ...taken, size: taken.keys.length, id: groupId(group.createdAt) },
    rest: { ...group, ...rest, size: rest.keys.length }
  }
}

export interface RemoveResult {
  /** Deletions removed: their samples are back in the job. */
  removed: string[]
  /** Deletions being sent or already sent (or unknown): nothing to take back. */
  tooLate: string[]
}

async function takeBack(
  db: TagdeckDb,
  deletionIds: readonly string[],
  how: 'undo' | 'discard'
): Promise<RemoveResult> {
  return db.transaction('rw', writeScope(db), async () => {
    const wanted = new Set(deletionIds)
    const flying = await flyingIds(db)
    const gone = new Set<string>()
    const removed: (JobKey & { sampleId: string })[] = []
    const deleted: string[] = []
    const kept: OutboxRow[] = []
    for (const group of await groupsHolding(db, deletionIds)) {
      if (flying.has(group.id)) continue
      const { taken, rest } = carve(group, (key) => wanted.has(key))
      if (rest) kept.push(rest)
      else deleted.push(group.id)
      taken?.keys.forEach((key, i) => {
        gone.add(key)
        removed.push({ ...group, sampleId: taken.samples[i].sampleId })
      })
    }
    await db.outbox.bulkDelete(deleted)
    await db.outbox.bulkPut(kept)
    for (const job of groupByJob(removed)) {
      const sampleIds = job.rows.map((r) => r.sampleId)
      await unhideInListings(db, job, sampleIds)
      await unlogDeletions(db, job, sampleIds, how)
      await touchJob(db, job, {})
    }
    return {
      removed: deletionIds.filter((id) => gone.has(id)),
      tooLate: deletionIds.filter((id) => !gone.has(id))
    }
  })
}

/** Takes back deletions not sent yet; restores the samples in every cached page and count. */
export function undo(db: TagdeckDb, deletionIds: readonly string[]): Promise<RemoveResult> {
  return takeBack(db, deletionIds, 'undo')
}

/** Gives up on deletions (typically failed ones): the samples stay, on the service and here. */
export function discard(db: TagdeckDb, deletionIds: readonly string[]): Promise<RemoveResult> {
  return takeBack(db, deletionIds, 'discard')
}

/** Sends failed deletions again. Returns how many were re-queued. */
export async function retry(
  db: TagdeckDb,
  clock: Clock,
  deletionIds: readonly string[]
): Promise<number> {
  return db.transaction('rw', db.outbox, db.pauses, async () => {
    const now = clock.now()
    const wanted = new Set(deletionIds)
    const failed = (await groupsHolding(db, deletionIds)).filter((g) => g.status === 'failed')
    const paused = new Set((await db.pauses.toArray()).map((p) => p.connectionId))
    const writes: OutboxRow[] = []
    let count = 0
    for (const group of failed) {
      const { taken, rest } = carve(group, (key) => wanted.has(key))
      if (!taken) continue
      count += taken.keys.length
      if (rest) writes.push(rest)
      writes.push({
        ...taken,
        status: paused.has(group.connectionId) ? 'paused' : 'queued',
        attempts: 0,
        nextAttemptAt: now,
        updatedAt: now,
        lastError: null
      })
    }
    await db.outbox.bulkPut(writes)
    return count
  })
}

/** Lifts a connection's pause (the user signed in again): its groups go back to the queue. */
export async function resumeConnection(db: TagdeckDb, clock: Clock, connectionId: string) {
  return db.transaction('rw', db.outbox, db.pauses, async () => {
    const now = clock.now()
    await db.pauses.delete(connectionId)
    const resumed = await groupsWithStatus(db, connectionId, 'paused').toArray()
    await db.outbox.bulkPut(
      resumed.map((g) => ({
        ...g,
        status: 'queued' as const,
        nextAttemptAt: now,
        updatedAt: now,
        lastError: null
      }))
    )
    return samplesIn(resumed)
  })
}

// ---- reads for the "Pending changes" panel, the indicator and the quit warning ------------
// Plain Dexie reads: wrap them in `liveQuery` / `useLiveQuery` to follow changes (any window).

/** A deletion as the panel shows it (one sample): `sending` when its group is in flight. */
export interface PanelRow extends JobKey, QueuedSample, Omit<DeletionState, 'status'> {
  /** Its deletion id. */
  id: string
  status: OutboxStatus
}

/** A group's samples as panel rows. */
export function panelRows(group: OutboxRow, status: OutboxStatus = group.status): PanelRow[] {
  const { keys, samples, id: _group, ...shared } = group
  return samples.map((sample, i) => ({ ...shared, ...sample, id: keys[i], status }))
}

export interface PendingCounts {
  queued: number
  sending: number
  failed: number
  paused: number
  /** Will reach the service by themselves (queued + sending + paused): the quit warning. */
  willSync: number
}

/** Every group of one status, oldest first. */
function statusRange(db: TagdeckDb, status: StoredStatus) {
  return db.outbox
    .where('[status+createdAt]')
    .between([status, Dexie.minKey], [status, Dexie.maxKey])
}

/**
 * Samples per status, from the keys of the count index alone (no group is read: the indicator
 * asks again after every change). Groups in flight are stored as queued: they count as sending.
 */
export async function pendingCounts(db: TagdeckDb, connectionId?: string): Promise<PendingCounts> {
  const index = db.outbox.where(COUNT_INDEX)
  const range =
    connectionId === undefined
      ? index.above([Dexie.minKey])
      : index.between([connectionId, Dexie.minKey], [connectionId, Dexie.maxKey])
  const [keys, inflight] = await Promise.all([range.keys(), db.inflight.toArray()])
  const stored: Record<StoredStatus, number> = { queued: 0, failed: 0, paused: 0 }
  for (const [, status, size] of keys as unknown as [string, StoredStatus, number][]) {
    stored[status] += size
  }
  const sending = samplesIn(
    inflight.filter((b) => connectionId === undefined || b.connectionId === connectionId)
  )
  return {
    queued: Math.max(0, stored.queued - sending),
    sending,
    failed: stored.failed,
    paused: stored.paused,
    willSync: stored.queued + stored.paused
  }
}

/** Deletions of one status, oldest first, for the panel (`limit` keeps a huge queue cheap). */
export async function pendingRows(
  db: TagdeckDb,
  status: OutboxStatus,
  limit = 200
): Promise<PanelRow[]> {
  const rows: PanelRow[] = []
  const flying =
    status === 'queued' || status === 'sending' ? await flyingIds(db) : new Set<string>()
  const stored = status === 'sending' ? 'queued' : status
  // Group by group, until `limit` samples: never the whole of a huge queue.
  await statusRange(db, stored)
    .until(() => rows.length >= limit)
    .each((group) => {
      if (status === 'sending' && !flying.has(group.id)) return
      if (status === 'queued' && flying.has(group.id)) return
      rows.push(...panelRows(group, status))
    })
  return rows.slice(0, limit)
}

/** One deletion as the panel would show it (undefined: not in the outbox). */
export async function findDeletion(
  db: TagdeckDb,
  deletionId: string
): Promise<PanelRow | undefined> {
  const [group] = await groupsHolding(db, [deletionId])
  if (!group) return undefined
  const status = (await flyingIds(db)).has(group.id) ? 'sending' : group.status
  return panelRows(group, status).find((r) => r.id === deletionId)
}
