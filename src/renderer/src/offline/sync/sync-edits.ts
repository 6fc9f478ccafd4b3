import { Dexie } from 'dexie'
import type { LabelEditOutcome, VerdictOutcome } from '../../../../shared/labels'
import { withLabels } from '../../../../shared/labels'
import type { Sample } from '../../../../shared/domain'
import { backoffDelay } from '../../../../shared/backoff'
import type { EditRow, EditStatus, JobKey, StoredEditStatus, TagdeckDb } from '../store/db'
import { OUTBOX_GROUP, touchJob } from '../store/db'
import { flyingEdits } from '../store/batches'
import { deleteInRuns } from '../store/delete-runs'
import { writeScope } from '../hiding/listing'
import { patchCached } from '../edits/edits'
import { describe } from '../errors'
import { classify, type BatchDeps } from './sync-batches'
import type { Ready } from './sync-pick'
import type { Transport } from '../deps'
import type { Clock } from '../../../../shared/clock'

/**
 * Sending review edits: due rows, in batches of at most `OUTBOX_GROUP` of one job and kind
 * (and, for verdicts, one stage), are named by a record of the batch in flight (`editFlight`:
 * they read as `sending`, and can no longer be undone or changed), sent, their outcomes written
 * into the record (`recordAnswers`), and folded by them once the calls are over (`foldAnswers`),
 * the record going with them. The rows themselves are not rewritten to be sent: a write per
 * edit there and back cost Chromium more than the rest of the sync's bookkeeping. A runner that
 * dies leaves its records: `recoverEdits` drops those with no answer, so their edits are queued
 * again, and sending them twice changes nothing on the service (a label edit the service
 * already holds is `unchanged`; a verdict sets the same fields again); those answered are folded.
 */

export interface EditBatch extends JobKey {
  /** Its `editFlight` record. */
  flightId: string
  kind: EditRow['kind']
  rows: EditRow[]
}

/** Counts of answered edits, for the drain's report. */
export interface EditCounts {
  done: number
  conflicts: number
  parked: number
  failed: number
  retried: number
  paused: number
}

export const noEditCounts = (): EditCounts => ({
  done: 0,
  conflicts: 0,
  parked: 0,
  failed: 0,
  retried: 0,
  paused: 0
})

/**
 * Queued edits due from `from` (a floor found by `findEditFloor`: no queued edit is due before
 * it) up to `upTo`, both included, oldest due first (the sync's index).
 */
const queuedEdits = (db: TagdeckDb, from: number, upTo: number | typeof Dexie.maxKey) =>
  db.edits.where('[status+nextAttemptAt]').between(['queued', from], ['queued', upTo], true, true)

/**
 * Where the sync's reads of queued edits may start: the oldest due time among them, or the time
 * it was found (`at`) if that is earlier (none queued). It holds for edits queued later too, as
 * every write that makes an edit queued (or moves its time) sets a time no earlier than its own
 * `now`, read in its transaction: queueing, undo, retry, resume, a conflict resolved, a backoff.
 *
 * Why: edits folded away leave their index entries deleted but not yet compacted in Chromium's
 * LevelDB, oldest first, exactly where a read from the start of the range begins. After a few
 * syncs of 1,000 edits, skipping them took the first pick 30-45 ms instead of 9 (see
 * docs/performance.md). The runner finds the floor after each fold, off the sync's path.
 */
export interface EditFloor {
  from: number
  at: number
}

export async function findEditFloor(db: TagdeckDb, clock: Clock): Promise<EditFloor> {
  // Read before the transaction starts: any write after it reads a later time.
  const at = clock.now()
  const [first] = (await queuedEdits(db, Dexie.minKey, Dexie.maxKey)
    .limit(1)
    .keys()) as unknown as [string, number][]
  return { from: Math.min(first?.[1] ?? Infinity, at), at }
}

/**
 * The floor to read from at `now`: none if the clock went back past the time it was found (an
 * edit queued meanwhile may be due before it; the next fold finds a floor again).
 */
export const floorAt = (floor: EditFloor | null, now: number): number =>
  floor !== null && now >= floor.at ? floor.from : Dexie.minKey

/**
 * When the next queued edit not in flight may go (Infinity: none), given when each connection
 * may be tried again (`notBefore`; null: not reachable, its edits wait for it), reading from
 * `from` (`findEditFloor`).
 */
export async function nextEditDue(
  db: TagdeckDb,
  notBefore: (connectionId: string) => number | null,
  from: number = Dexie.minKey
): Promise<number> {
  let next = Infinity
  await db.transaction('r', db.edits, db.editFlight, async () => {
    const flying = await flyingEdits(db)
    await queuedEdits(db, from, Dexie.maxKey)
      .until(() => next !== Infinity)
      .each((row) => {
        const from = flying.has(row.id) ? null : notBefore(row.connectionId)
        if (from !== null) next = Math.max(row.nextAttemptAt, from)
      })
  })
  return next
}

/**
 * Up to `count` batches of due edits of ready connections (none already in flight), each
 * recorded in flight, in one transaction; and whether another pick now may find more (`more`:
 * false once every due edit was seen and taken or passed over), so the runner asks no more after
 * the last batch: that pick came as the first answers did, on the busiest moment of a sync. It
 * reads from `from` on (`findEditFloor`).
 */
export async function pickEdits(
  db: TagdeckDb,
  now: number,
  ready: Ready,
  count: number,
  from: number = Dexie.minKey
): Promise<{ batches: EditBatch[]; more: boolean }> {
  return db.transaction('rw', db.edits, db.pauses, db.editFlight, async () => {
    const paused = new Set((await db.pauses.toArray()).map((p) => p.connectionId))
    const flying = await flyingEdits(db)
    const want = count * OUTBOX_GROUP
    const isCandidate = (row: EditRow) =>
      !flying.has(row.id) && ready(row.connectionId, now, paused)
    // Edits in flight stay queued, oldest due first. With none in flight, one read of the
    // oldest due; with some, their keys first (keys only: no edit read just to be passed over),
    // then the rest by key. Each read takes one more than it needs, to tell whether any is
    // left (else the runner picks once more, for nothing, as the first answers come). A
    // filtered read walks a cursor row by row: only when these fell short of edits to send.
    let due: EditRow[]
    let seenAll: boolean
    if (flying.size === 0) {
      const head = await queuedEdits(db, from, now)
        .limit(want + 1)
        .toArray()
      due = head.slice(0, want).filter(isCandidate)
      seenAll = head.length <= want
    } else {
      const keys = await queuedEdits(db, from, now)
        .limit(flying.size + want + 1)
        .primaryKeys()
      const rest = keys.filter((id) => !flying.has(id)).slice(0, want)
      const rows = rest.length > 0 ? await db.edits.bulkGet(rest) : []
      due = rows.filter((row): row is EditRow => row !== undefined && isCandidate(row))
      seenAll = keys.length <= flying.size + want
    }
    if (!seenAll && due.length < want) {
      due = await queuedEdits(db, from, now).filter(isCandidate).limit(want).toArray()
      seenAll = due.length < want
    }
    const batches = new Map<string, EditBatch>()
    const picked: EditBatch[] = []
    let passed = false
    for (const row of due) {
      const stage = row.verdict?.stage ?? ''
      const key = `${row.connectionId}/${row.jobId}/${row.kind}/${stage}`
      let batch = batches.get(key)
      if (!batch || batch.rows.length >= OUTBOX_GROUP) {
        if (picked.length >= count) {
          passed = true
          continue
        }
        const { connectionId, jobId, kind } = row
        batch = { flightId: crypto.randomUUID(), connectionId, jobId, kind, rows: [] }
        batches.set(key, batch)
        picked.push(batch)
      }
      batch.rows.push(row)
    }
    await db.editFlight.bulkAdd(
      picked.map((b) => ({
        id: b.flightId,
        connectionId: b.connectionId,
        jobId: b.jobId,
        editIds: b.rows.map((r) => r.id),
        startedAt: now
      }))
    )
    return { batches: picked, more: !seenAll || passed }
  })
}

/** One batch's call: label edits through main's merge, or verdicts. */
export function sendEdits(
  transport: Transport,
  batch: EditBatch
): Promise<(LabelEditOutcome | VerdictOutcome)[]> {
  const { connectionId, jobId, rows } = batch
  if (batch.kind === 'labels')
    return transport('samples.updateLabels', {
      connectionId,
      jobId,
      edits: rows.map((r) => ({
        sampleId: r.sampleId,
        ...(r.labels as NonNullable<EditRow['labels']>)
      }))
    })
  const stage = rows[0]?.verdict?.stage ?? 'review'
  return transport('samples.judge', {
    connectionId,
    jobId,
    stage,
    verdicts: rows.map((r) => {
      const { accept, comment, score } = r.verdict as NonNullable<EditRow['verdict']>
      return { sampleId: r.sampleId, accept, comment, score }
    })
  })
}

const DONE = new Set(['updated', 'merged', 'unchanged', 'done', 'gone'])

/** A batch and the service's outcomes for it (one per row, in order; a short answer lacks the last). */
export interface AnsweredEdits {
  batch: EditBatch
  outcomes: readonly (LabelEditOutcome | VerdictOutcome)[]
}

/**
 * What an outcome makes of its edit: done (it leaves), none (a short answer: sent again later),
 * or kept with the reason it was not taken.
 */
function fateOf(
  outcome: LabelEditOutcome | VerdictOutcome | undefined
): 'done' | 'retried' | Extract<StoredEditStatus, 'conflict' | 'parked' | 'failed'> {
  if (!outcome) return 'retried'
  if (DONE.has(outcome.status)) return 'done'
  return outcome.status === 'conflict' || outcome.status === 'parked' ? outcome.status : 'failed'
}

/** The drain's report's name for each fate. */
const COUNTED = {
  done: 'done',
  retried: 'retried',
  conflict: 'conflicts',
  parked: 'parked',
  failed: 'failed'
} as const satisfies Record<ReturnType<typeof fateOf>, keyof EditCounts>

/** What these answers come to, for the drain's report. */
function countAnswers(answered: readonly AnsweredEdits[]): EditCounts {
  const counts = noEditCounts()
  for (const { batch, outcomes } of answered)
    batch.rows.forEach((_, i) => (counts[COUNTED[fateOf(outcomes[i])]] += 1))
  return counts
}

/**
 * Writes answered batches' outcomes into their records in flight, in one transaction: the
 * changes are confirmed (a runner that dies now folds them when it recovers, and sends none of
 * them again), and their edits read as `sending` until `foldAnswers`. That fold is most of a
 * settle's cost (deleting the done edits, rewriting the cached pages holding their images), so
 * the runner does it after the calls, not while the last of them wait.
 */
export async function recordAnswers(
  db: TagdeckDb,
  answered: readonly AnsweredEdits[]
): Promise<EditCounts> {
  await db.transaction('rw', db.editFlight, async () => {
    const flights = await db.editFlight.bulkGet(answered.map((a) => a.batch.flightId))
    await db.editFlight.bulkPut(
      flights.flatMap((flight, i) =>
        flight ? [{ ...flight, outcomes: [...(answered[i]?.outcomes ?? [])] }] : []
      )
    )
  })
  return countAnswers(answered)
}

/**
 * Folds every answered batch (`recordAnswers`) in one transaction: done edits leave, and the
 * cached copies of their images take what the service holds now (each job's pages looked up
 * and rewritten once for all the batches); conflicts, parked verdicts and refusals stay with
 * their reason, not to be sent again by themselves; the records go. `known` are answers the
 * caller still holds, whose rows need no read. Answers how many edits it folded.
 */
export async function foldAnswers(
  deps: BatchDeps,
  known: readonly AnsweredEdits[] = []
): Promise<number> {
  const { db } = deps
  return db.transaction('rw', writeScope(db), async () => {
    const flights = (await db.editFlight.toArray()).filter((f) => f.outcomes)
    if (flights.length === 0) return 0
    const held = new Map(known.map((a) => [a.batch.flightId, a]))
    const answered: AnsweredEdits[] = []
    for (const flight of flights) {
      const answer = held.get(flight.id)
      if (answer) {
        answered.push(answer)
        continue
      }
      // Recorded by a runner that died: its rows as they are (an edit in flight is not
      // changed, and one gone meanwhile, its job forgotten, is left out with its outcome).
      const rows = await db.edits.bulkGet(flight.editIds)
      const outcomes = flight.outcomes ?? []
      // Outcomes stay beside their rows; those a short answer lacked are the last, so they stay
      // last (and are sent again).
      const kept = rows.flatMap((row, i) => (row ? [{ row, outcome: outcomes[i] }] : []))
      const batch = {
        flightId: flight.id,
        connectionId: flight.connectionId,
        jobId: flight.jobId,
        kind: kept[0]?.row.kind ?? 'labels',
        rows: kept.map((k) => k.row)
      }
      answered.push({ batch, outcomes: kept.flatMap((k) => (k.outcome ? [k.outcome] : [])) })
    }
    await settle(deps, answered)
    return answered.reduce((n, a) => n + a.batch.rows.length, 0)
  })
}

/** Applies answered batches' outcomes, inside the caller's transaction (see `foldAnswers`). */
async function settle(deps: BatchDeps, answered: readonly AnsweredEdits[]): Promise<void> {
  const { db } = deps
  const now = deps.clock.now()
  const patches = new Map<string, { job: JobKey; bySample: Map<string, (s: Sample) => Sample> }>()
  const done: string[] = []
  const kept: EditRow[] = []
  for (const { batch, outcomes } of answered) {
    const jobKey = `${batch.connectionId}/${batch.jobId}`
    const job = patches.get(jobKey) ?? { job: batch, bySample: new Map() }
    patches.set(jobKey, job)
    batch.rows.forEach((row, i) => {
      const outcome = outcomes[i]
      const fate = fateOf(outcome)
      // No answer for it (a short answer): sent again later (`!outcome` for the types' sake).
      if (!outcome || fate === 'retried')
        return void kept.push(later(deps, row, now, row.lastError))
      if (fate === 'done') {
        done.push(row.id)
        const patch = patchOf(row, outcome)
        if (patch) {
          // Both kinds of one image may settle together: each adds to the other's patch.
          const other = job.bySample.get(row.sampleId)
          job.bySample.set(row.sampleId, other ? (s) => patch(other(s)) : patch)
        }
        return
      }
      kept.push({
        ...row,
        status: fate,
        attempts: row.attempts + 1,
        updatedAt: now,
        lastError: {
          code: outcome.code ?? outcome.status,
          message: outcome.message ?? defaultMessage(fate)
        },
        conflict: 'conflict' in outcome && outcome.conflict ? outcome.conflict : null
      })
    })
  }
  await db.editFlight.bulkDelete(answered.map((a) => a.batch.flightId))
  // Done edits of a job sit side by side by id (`editId`): a range delete for each stretch.
  await deleteInRuns(db.edits, done)
  await db.edits.bulkPut(kept)
  for (const { job, bySample } of patches.values()) {
    await patchCached(db, job, bySample)
    await touchJob(db, job, {})
  }
}

/** What a done edit changes in the cached copies of its image: the service's labels, or the verdict. */
function patchOf(
  row: EditRow,
  outcome: LabelEditOutcome | VerdictOutcome
): ((s: Sample) => Sample) | null {
  const result = 'result' in outcome ? outcome.result : undefined
  if (result) return (s) => withLabels(s, result)
  if (row.verdict && outcome.status === 'done') {
    const { stage, accept, comment, score } = row.verdict
    return (s) => ({ ...s, verdict: { stage, accept, comment, score } })
  }
  return null
}

function defaultMessage(status: StoredEditStatus): string {
  if (status === 'conflict') return 'A colleague changed this image meanwhile'
  if (status === 'parked') return 'The task no longer takes this verdict'
  return 'The service did not take this change'
}

/** Sent again after a growing, jittered while. */
function later(
  deps: BatchDeps,
  row: EditRow,
  now: number,
  lastError: EditRow['lastError']
): EditRow {
  const attempts = row.attempts + 1
  return {
    ...row,
    status: 'queued',
    attempts,
    nextAttemptAt: now + backoffDelay(attempts, deps.random, deps.backoff),
    updatedAt: now,
    lastError
  }
}

/**
 * A whole call failed: the connection's credentials were refused (its edits wait for a sign-in,
 * as its deletions do), it could not be reached (later), or the service refused the call.
 */
export async function failEdits(
  deps: BatchDeps,
  batch: EditBatch,
  error: unknown
): Promise<{ kind: ReturnType<typeof classify>; rows: number }> {
  const { db } = deps
  const kind = classify(error)
  const reason = describe(error)
  await db.transaction('rw', writeScope(db), async () => {
    const now = deps.clock.now()
    if (kind === 'auth') {
      const message = 'Sign in again: the service refused our credentials'
      await db.pauses.put({ connectionId: batch.connectionId, reason: 'auth', message, since: now })
    }
    await db.editFlight.delete(batch.flightId)
    await db.edits.bulkPut(
      batch.rows.map((row) =>
        kind === 'retry'
          ? later(deps, row, now, reason)
          : {
              ...row,
              status: kind === 'auth' ? 'paused' : 'failed',
              attempts: row.attempts + 1,
              updatedAt: now,
              lastError: reason
            }
      )
    )
    await touchJob(db, batch, {})
  })
  return { kind, rows: batch.rows.length }
}

/**
 * After a crash (only the lock holder sends, so any batch in flight it finds is an orphan): the
 * batches left in flight with no answer are dropped, so their edits read as queued again (a
 * re-send changes nothing); those answered are left for `foldAnswers`. Returns how many edits
 * that gave back.
 */
export async function recoverEdits(db: TagdeckDb): Promise<number> {
  return db.transaction('rw', db.editFlight, async () => {
    const orphans = (await db.editFlight.toArray()).filter((f) => !f.outcomes)
    await db.editFlight.bulkDelete(orphans.map((f) => f.id))
    return orphans.reduce((n, b) => n + b.editIds.length, 0)
  })
}

/** Batches picked but never sent: no longer in flight, their edits are queued as they were. */
export async function requeueEdits(db: TagdeckDb, batches: readonly EditBatch[]): Promise<void> {
  await db.editFlight.bulkDelete(batches.map((b) => b.flightId))
}

/**
 * A connection signed in again (or came back): its paused edits are queued, due now (read in
 * the transaction, as `findEditFloor` needs).
 */
export async function resumeEdits(db: TagdeckDb, clock: Clock, connectionId: string) {
  return db.transaction('rw', db.edits, async () => {
    const now = clock.now()
    return db.edits
      .where('[connectionId+status]')
      .equals([connectionId, 'paused'])
      .modify({ status: 'queued', nextAttemptAt: now, lastError: null })
  })
}

/** Back online: edits of the connection waiting out a backoff are due now. */
export async function editsDueNow(db: TagdeckDb, clock: Clock, connectionId: string) {
  await db.transaction('rw', db.edits, async () => {
    const now = clock.now()
    await db.edits
      .where('[connectionId+status]')
      .equals([connectionId, 'queued'])
      .filter((row) => row.nextAttemptAt > now)
      .modify({ nextAttemptAt: now })
  })
}

/**
 * Edits per status, for the indicator and the quit warning (index keys only): those in flight
 * are queued rows, counted as `sending`.
 */
export async function editCounts(
  db: TagdeckDb,
  connectionId?: string
): Promise<Record<EditStatus, number>> {
  const index = db.edits.where('[connectionId+status]')
  const range =
    connectionId === undefined
      ? index.above([Dexie.minKey])
      : index.between([connectionId, Dexie.minKey], [connectionId, Dexie.maxKey])
  const counts: Record<EditStatus, number> = {
    queued: 0,
    sending: 0,
    failed: 0,
    paused: 0,
    conflict: 0,
    parked: 0
  }
  const [keys, flying] = await db.transaction('r', db.edits, db.editFlight, () =>
    Promise.all([range.keys(), flyingEdits(db, connectionId)])
  )
  for (const [, status] of keys as unknown as [string, StoredEditStatus][]) counts[status] += 1
  counts.sending = flying.size
  counts.queued -= flying.size
  return counts
}
