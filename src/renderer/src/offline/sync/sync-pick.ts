import { Dexie } from 'dexie'
import { flyingIds } from '../store/batches'
import type { JobKey, OutboxRow, TagdeckDb } from '../store/db'
import { DUE_INDEX } from '../store/db'

/**
 * Which outbox groups the sync engine sends next. IndexedDB keeps deleted entries around for a
 * while (Chromium walks them on every read that starts before them: finding the first of
 * 1,000 live rows behind 9,000 deleted ones took 26 ms), so a drain never reads from the start
 * of a range it has been deleting from: it remembers, per job, the last group it took, and
 * seeks past it with the `[connectionId+jobId+status+nextAttemptAt+id]` index.
 */

/** Whether rows of this connection may be sent now (not paused, reachable, not backing off). */
export type Ready = (connectionId: string, now: number, paused: Set<string>) => boolean

/** A group's place in the due order: by due time, then id. */
type Place = Pick<OutboxRow, 'nextAttemptAt' | 'id'>

/** What one drain remembers between picks. */
export interface PickCursor {
  /** Jobs with outbox rows (found once per drain, again when they seem to run dry). */
  jobs: JobKey[] | null
  /** Per job: the last group taken, so the next pick seeks past the groups already sent. */
  after: Map<string, Place>
  /** Jobs with no due groups left past the cursor: not read again in this drain. */
  dry: Set<string>
}

export const newCursor = (): PickCursor => ({ jobs: null, after: new Map(), dry: new Set() })

const jobKey = (job: JobKey) => `${job.connectionId}/${job.jobId}`

/** Queued groups of a job due by `upTo` (past `after`), oldest due first: one index range. */
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

/** Samples that would go out now. */
export async function countDue(db: TagdeckDb, now: number, ready: Ready): Promise<number> {
  const { paused, flying } = await pickContext(db)
  let due = 0
  for (const job of await outboxJobs(db)) {
    if (!ready(job.connectionId, now, paused)) continue
    await dueRange(db, job, now).each((group) => {
      if (!flying.has(group.id)) due += group.keys.length
    })
  }
  return due
}

/**
 * When the next queued group is due, over the jobs of connections `notBefore` lets through
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

/** What a pick must leave alone: connections paused, groups of batches in flight. */
export interface PickContext {
  paused: Set<string>
  flying: Set<string>
}

/** Reads what a pick must leave alone (inside the caller's transaction). */
export async function pickContext(db: TagdeckDb): Promise<PickContext> {
  const [paused, flying] = await Promise.all([pausedConnections(db), flyingIds(db)])
  return { paused, flying }
}

/** Due groups of one job, oldest due first. */
export interface DueGroups {
  job: JobKey
  groups: OutboxRow[]
}

/**
 * The oldest due groups of one job (of the job whose head is oldest), at most `limit`, past
 * the cursor, skipping groups in flight so no sample goes out in two batches at once. Runs
 * inside the caller's transaction; the caller moves the cursor past what it takes (`advance`).
 *
 * Jobs are listed once per drain, and a job with no due group past the cursor counts as empty
 * for the rest of it: every read from the start of a job walks the entries deleted so far.
 * Groups queued later, or behind the cursor (queued in the same millisecond, a clock step
 * back), go out in the next drain: the runner drains again when something is queued, and
 * after each drain looks for the next due group from the start.
 */
export async function dueGroups(
  db: TagdeckDb,
  cursor: PickCursor,
  limit: number,
  now: number,
  ready: Ready,
  { paused, flying }: PickContext
): Promise<DueGroups | null> {
  // Groups in flight lie behind the cursor, so the first read is usually all it takes; when
  // it met some (the first pick of a drain), once more with room for all of them.
  const take = async (job: JobKey, after?: Place) => {
    const read = (n: number) => dueRange(db, job, now, after).limit(n).toArray()
    let groups = await read(limit)
    if (groups.length === limit && groups.some((g) => flying.has(g.id)))
      groups = await read(limit + flying.size)
    return groups.filter((g) => !flying.has(g.id)).slice(0, limit)
  }
  cursor.jobs ??= await outboxJobs(db)
  let best: DueGroups | null = null
  for (const job of cursor.jobs) {
    const key = jobKey(job)
    if (cursor.dry.has(key) || !ready(job.connectionId, now, paused)) continue
    const groups = await take(job, cursor.after.get(key))
    if (groups.length === 0) {
      cursor.dry.add(key)
      continue
    }
    // Several jobs with due groups (rare): the one whose head is oldest goes first.
    if (!best || groups[0].nextAttemptAt < best.groups[0].nextAttemptAt) best = { job, groups }
  }
  return best
}

/** The pick took `group`: the next one seeks past it. */
export function advance(cursor: PickCursor, job: JobKey, group: OutboxRow): void {
  cursor.after.set(jobKey(job), { nextAttemptAt: group.nextAttemptAt, id: group.id })
}
