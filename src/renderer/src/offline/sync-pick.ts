import { Dexie } from 'dexie'
import { flyingIds } from './batches'
import type { JobKey, OutboxRow, TagdeckDb } from './db'

/**
 * Which rows the sync engine sends next. IndexedDB keeps deleted entries around for a while
 * (Chromium walks them on every read that starts before them: finding the first of 1,000
 * live rows behind 9,000 deleted ones took 26 ms), so a drain never reads from the start of
 * a range it has been deleting from: it remembers, per job, the last row it took, and seeks
 * past it with the `[connectionId+jobId+status+nextAttemptAt+id]` index.
 */

/** Whether rows of this connection may be sent now (not paused, reachable, not backing off). */
export type Ready = (connectionId: string, now: number, paused: Set<string>) => boolean

/** A row's place in the due order: by due time, then id. */
type Place = Pick<OutboxRow, 'nextAttemptAt' | 'id'>

/** What one drain remembers between picks. */
export interface PickCursor {
  /** Jobs with outbox rows (found once per drain, again when they seem to run dry). */
  jobs: JobKey[] | null
  /** Per job: the last row taken, so the next pick seeks past the rows already sent. */
  after: Map<string, Place>
}

export const newCursor = (): PickCursor => ({ jobs: null, after: new Map() })

const jobKey = (job: JobKey) => `${job.connectionId}/${job.jobId}`

/** Queued rows of a job due by `upTo` (past `after`), oldest due first: one index range. */
function dueRange(db: TagdeckDb, job: JobKey, upTo: number, after?: Place) {
  const { connectionId, jobId } = job
  const from = after
    ? [connectionId, jobId, 'queued', after.nextAttemptAt, after.id]
    : [connectionId, jobId, 'queued', Dexie.minKey]
  return db.outbox
    .where('[connectionId+jobId+status+nextAttemptAt+id]')
    .between(from, [connectionId, jobId, 'queued', upTo, Dexie.maxKey], after === undefined, true)
}

/**
 * Jobs with anything in the outbox, one key lookup per job. `uniqueKeys()` would read every
 * row's key, and so does Chromium for an open lower bound (`above(key)` walks the entries equal
 * to it), so each step seeks to the first key past the job's inclusively: [c, j] < [c, j, -inf].
 */
export async function outboxJobs(db: TagdeckDb): Promise<JobKey[]> {
  const jobs: JobKey[] = []
  const byJob = db.outbox.where('[connectionId+jobId]')
  for (let row = await byJob.aboveOrEqual([Dexie.minKey]).first(); row;) {
    const job = { connectionId: row.connectionId, jobId: row.jobId }
    jobs.push(job)
    row = await byJob.aboveOrEqual([job.connectionId, job.jobId, Dexie.minKey]).first()
  }
  return jobs
}

export async function pausedConnections(db: TagdeckDb): Promise<Set<string>> {
  return new Set((await db.pauses.toArray()).map((p) => p.connectionId))
}

/** Rows that would go out now. */
export async function countDue(db: TagdeckDb, now: number, ready: Ready): Promise<number> {
  const paused = await pausedConnections(db)
  const flying = await flyingIds(db)
  let due = 0
  for (const job of await outboxJobs(db)) {
    if (ready(job.connectionId, now, paused)) due += await dueRange(db, job, now).count()
  }
  return Math.max(0, due - flying.size)
}

/**
 * When the next queued row is due, over the jobs of connections `notBefore` lets through
 * (null: skip the connection; else rows of it wait at least until that time). Infinity: none.
 */
export async function nextAttemptAt(
  db: TagdeckDb,
  notBefore: (connectionId: string) => number | null
): Promise<number> {
  let next = Number.POSITIVE_INFINITY
  for (const job of await outboxJobs(db)) {
    const floor = notBefore(job.connectionId)
    if (floor === null) continue
    const head = await dueRange(db, job, Number.POSITIVE_INFINITY).first()
    if (head) next = Math.min(next, Math.max(head.nextAttemptAt, floor))
  }
  return next
}

/**
 * The oldest due rows of one job (of the job whose head is oldest), at most `size`, skipping
 * rows of batches in flight so two senders never take the same row. Runs inside the caller's
 * transaction. Before a job counts as empty it is read once from the start, so a row the
 * cursor passed (queued in the same millisecond, a clock step back) is never left behind.
 */
export async function dueRows(
  db: TagdeckDb,
  cursor: PickCursor,
  size: number,
  now: number,
  ready: Ready
): Promise<OutboxRow[]> {
  const paused = await pausedConnections(db)
  const flying = await flyingIds(db)
  const take = async (job: JobKey, after?: Place) =>
    (
      await dueRange(db, job, now, after)
        .limit(size + flying.size)
        .toArray()
    )
      .filter((r) => !flying.has(r.id))
      .slice(0, size)
  for (let pass = 0; pass < 2; pass++) {
    const fresh = cursor.jobs === null
    cursor.jobs ??= await outboxJobs(db)
    let best: OutboxRow[] = []
    for (const job of cursor.jobs) {
      if (!ready(job.connectionId, now, paused)) continue
      const after = cursor.after.get(jobKey(job))
      let rows = await take(job, after)
      if (rows.length === 0 && after) {
        cursor.after.delete(jobKey(job))
        rows = await take(job)
      }
      if (rows.length > 0 && (best.length === 0 || rows[0].nextAttemptAt < best[0].nextAttemptAt))
        best = rows
    }
    const last = best[best.length - 1]
    if (last) {
      cursor.after.set(jobKey(last), { nextAttemptAt: last.nextAttemptAt, id: last.id })
      return best
    }
    if (fresh) return []
    cursor.jobs = null // jobs queued since the drain began
  }
  return []
}
