import { Dexie } from 'dexie'
import { flyingIds } from './batches'
import type { JobKey, OutboxRow, TagdeckDb } from './db'
import { DUE_INDEX } from './db'

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
  /** Jobs with no due rows left past the cursor: not read again in this drain. */
  dry: Set<string>
}

export const newCursor = (): PickCursor => ({ jobs: null, after: new Map(), dry: new Set() })

const jobKey = (job: JobKey) => `${job.connectionId}/${job.jobId}`

/** Queued rows of a job due by `upTo` (past `after`), oldest due first: one index range. */
function dueRange(db: TagdeckDb, job: JobKey, upTo: number, after?: Place) {
  const { connectionId, jobId } = job
  const from = after
    ? [connectionId, jobId, 'queued', after.nextAttemptAt, after.id]
    : [connectionId, jobId, 'queued', Dexie.minKey]
  return db.outbox
    .where(DUE_INDEX)
    .between(from, [connectionId, jobId, 'queued', upTo, Dexie.maxKey], after === undefined, true)
}

/**
 * Jobs with anything in the outbox, one key lookup per job on the due index. `uniqueKeys()`
 * would read every row's key, and so does Chromium for an open lower bound (`above(key)` walks
 * the entries equal to it), so each step seeks inclusively to the first key past the job's:
 * [c, j, +inf] is above every [c, j, status, ...] and below the next job's.
 */
export async function outboxJobs(db: TagdeckDb): Promise<JobKey[]> {
  const jobs: JobKey[] = []
  const byDue = db.outbox.where(DUE_INDEX)
  for (let row = await byDue.aboveOrEqual([Dexie.minKey]).first(); row;) {
    const job = { connectionId: row.connectionId, jobId: row.jobId }
    jobs.push(job)
    row = await byDue.aboveOrEqual([job.connectionId, job.jobId, Dexie.maxKey]).first()
  }
  return jobs
}

export async function pausedConnections(db: TagdeckDb): Promise<Set<string>> {
  return new Set((await db.pauses.toArray()).map((p) => p.connectionId))
}

/** Rows that would go out now. */
export async function countDue(db: TagdeckDb, now: number, ready: Ready): Promise<number> {
  const { paused, flying } = await pickContext(db)
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

/** What a pick must leave alone: connections paused, rows of batches in flight. */
export interface PickContext {
  paused: Set<string>
  flying: Set<string>
}

/** Reads what a pick must leave alone (inside the caller's transaction). */
export async function pickContext(db: TagdeckDb): Promise<PickContext> {
  const [paused, flying] = await Promise.all([pausedConnections(db), flyingIds(db)])
  return { paused, flying }
}

/** Due rows of one job, as their outbox ids, oldest due first. */
export interface DueRows extends JobKey {
  rowIds: string[]
}

/**
 * The oldest due rows of one job (of the job whose head is oldest), at most `size`, skipping
 * rows of batches in flight so no row goes out in two batches at once. Only their ids are read
 * (reading values through an index costs Chromium a second lookup per row); the rows are read
 * by id range when their answer is settled. Runs inside the caller's transaction.
 *
 * Jobs are listed once per drain, and a job whose rows past the cursor are gone counts as
 * empty for the rest of it: every read from the start of a job walks the entries deleted so
 * far (~10 ms per 1,000 in Chromium). Rows queued later, or behind the cursor (queued in the
 * same millisecond, a clock step back), go out in the next drain: the runner drains again
 * when something is queued, and after each drain looks for the next due row from the start.
 */
export async function dueRows(
  db: TagdeckDb,
  cursor: PickCursor,
  size: number,
  now: number,
  ready: Ready,
  { paused, flying }: PickContext
): Promise<DueRows | null> {
  // Rows in flight lie behind the cursor, so the first read is usually all it takes; when it
  // met some (the first pick of a drain), once more with room for all of them.
  const take = async (job: JobKey, after?: Place) => {
    const read = (limit: number) => dueRange(db, job, now, after).limit(limit).primaryKeys()
    let ids = await read(size)
    if (ids.length === size && ids.some((id) => flying.has(id)))
      ids = await read(size + flying.size)
    return ids.filter((id) => !flying.has(id)).slice(0, size)
  }
  cursor.jobs ??= await outboxJobs(db)
  let best: { job: JobKey; ids: string[]; head: number } | null = null
  for (const job of cursor.jobs) {
    const key = jobKey(job)
    if (cursor.dry.has(key) || !ready(job.connectionId, now, paused)) continue
    const ids = await take(job, cursor.after.get(key))
    if (ids.length === 0) {
      cursor.dry.add(key)
      continue
    }
    // Several jobs with due rows (rare): the one whose head is oldest goes first.
    const head = cursor.jobs.length > 1 ? ((await db.outbox.get(ids[0]))?.nextAttemptAt ?? 0) : 0
    if (!best || head < best.head) best = { job, ids, head }
  }
  if (!best) return null
  const lastId = best.ids[best.ids.length - 1]
  const last = await db.outbox.get(lastId)
  cursor.after.set(jobKey(best.job), { nextAttemptAt: last?.nextAttemptAt ?? now, id: lastId })
  return { ...best.job, rowIds: best.ids }
}
