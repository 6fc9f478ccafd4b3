import type { Box, Sample } from '../../../../shared/domain'
import {
  labelSetOf,
  sameBox,
  sameLabels,
  withLabels,
  type LabelSet
} from '../../../../shared/labels'
import type { Clock } from '../../../../shared/clock'
import { touchJob, editId } from '../store/db'
import { flyingEdits } from '../store/batches'
import { Dexie } from 'dexie'
import type { EditRow, EditStatus, JobKey, LabelChange, TagdeckDb } from '../store/db'
import { putPages, singleRows } from '../store/page-rows'
import { cachedSamples, writeScope } from '../hiding/listing'
import { pagesHolding, patchHeld } from '../replica/held'
import { logEdits, markEdit, unlogEdits } from '../report/log'

/**
 * Review edits: a reviewer's label changes and verdicts, queued beside the deletions and sent by
 * the same sync runner (sync/sync-edits.ts). Queueing writes the edit and bumps the job in one
 * transaction, so every read shows it at once (`overlay`) and a crash loses nothing. Until it
 * is being sent an edit can be undone step by step. Once the service holds it, the cached
 * copies of the image take the labels the service answered (`settleLabels`) and the edit goes.
 */

function freshRow(
  job: JobKey,
  sample: { id: string; name: string | null },
  kind: EditRow['kind'],
  now: number,
  paused: boolean,
  holdMs: number
): EditRow {
  return {
    ...job,
    id: editId(job, sample.id, kind),
    sampleId: sample.id,
    name: sample.name,
    kind,
    labels: null,
    verdict: null,
    history: [],
    status: paused ? 'paused' : 'queued',
    attempts: 0,
    nextAttemptAt: now + holdMs,
    createdAt: now,
    updatedAt: now,
    lastError: null,
    conflict: null
  }
}

/** Why an edit could not be queued: it is on its way to the service. */
export class EditInFlight extends Error {
  constructor() {
    super('This change is being sent; edit again once it is through')
  }
}

/**
 * Queues (or changes) an edit of one image, in one transaction. `change` gets what the image
 * shows now (the reviewer's earlier edit, if any) and returns the new edit; an edit that brings
 * the image back to what the service holds is dropped. Returns the edit's id, or null when
 * nothing is left to send.
 */
async function putEdit(
  db: TagdeckDb,
  clock: Clock,
  job: JobKey,
  sample: Pick<Sample, 'id' | 'name'>,
  kind: EditRow['kind'],
  change: (row: EditRow) => Pick<EditRow, 'labels' | 'verdict'> | null,
  holdMs: number
): Promise<string | null> {
  const [id] = await putEdits(db, clock, job, [sample.id], kind, (row) => change(row), holdMs, {
    names: new Map([[sample.id, sample.name]]),
    strict: true
  })
  return id ?? null
}

/**
 * `putEdit` for many images of a job in one transaction. `change` also gets the image as cached
 * (undefined: never seen here); images whose change is null, or (unless `strict`) being sent,
 * are left as they are. Returns the ids of the edits written.
 */
async function putEdits(
  db: TagdeckDb,
  clock: Clock,
  job: JobKey,
  sampleIds: readonly string[],
  kind: EditRow['kind'],
  change: (row: EditRow, cached: Sample | undefined) => Pick<EditRow, 'labels' | 'verdict'> | null,
  holdMs: number,
  options: { names?: Map<string, string | null>; strict?: boolean } = {}
): Promise<string[]> {
  return db.transaction('rw', writeScope(db), async () => {
    const now = clock.now()
    const unique = [...new Set(sampleIds)]
    const ids = unique.map((s) => editId(job, s, kind))
    const paused = (await db.pauses.get(job.connectionId)) !== undefined
    const [known, flying] = await Promise.all([db.edits.bulkGet(ids), flyingEdits(db)])
    const cached = options.names ? new Map() : await cachedSamples(db, job, unique)
    const writes: EditRow[] = []
    const drops: string[] = []
    unique.forEach((sampleId, i) => {
      const before = known[i]
      if (before && flying.has(before.id)) {
        if (options.strict) throw new EditInFlight()
        return
      }
      const seen = cached.get(sampleId)?.sample as Sample | undefined
      const name = options.names?.get(sampleId) ?? seen?.name ?? null
      const row = before ?? freshRow(job, { id: sampleId, name }, kind, now, paused, holdMs)
      const next = change(row, seen)
      if (next === null) {
        if (before) drops.push(ids[i])
        return
      }
      writes.push({
        ...row,
        ...next,
        history: before ? [...row.history, { labels: row.labels, verdict: row.verdict }] : [],
        // A changed edit is due again; a conflict or refusal starts over from the new one.
        status: paused ? 'paused' : 'queued',
        nextAttemptAt: now + holdMs,
        updatedAt: now,
        lastError: null,
        conflict: null
      })
    })
    const dropped = new Set(drops)
    await unlogEdits(
      db,
      known.filter((r) => r !== undefined && dropped.has(r.id))
    )
    await logEdits(db, writes, now)
    await db.edits.bulkDelete(drops)
    await db.edits.bulkPut(writes)
    await touchJob(db, job, {})
    return writes.map((w) => w.id)
  })
}

/** One verdict on many images of a task (a selection), in one transaction. */
export function queueVerdicts(
  db: TagdeckDb,
  clock: Clock,
  job: JobKey,
  sampleIds: readonly string[],
  verdict: NonNullable<EditRow['verdict']>,
  holdMs = 0
): Promise<string[]> {
  return putEdits(db, clock, job, sampleIds, 'verdict', () => ({ labels: null, verdict }), holdMs)
}

/**
 * Adds tags to many images (a selection), in one transaction, each on top of what the image
 * shows now. An image never seen here is left out: its labels are not known, and a label list
 * is never sent from a guess.
 */
export function queueAddedTags(
  db: TagdeckDb,
  clock: Clock,
  job: JobKey,
  sampleIds: readonly string[],
  tags: readonly string[],
  holdMs = 0
): Promise<string[]> {
  return putEdits(
    db,
    clock,
    job,
    sampleIds,
    'labels',
    (row, seen) => {
      const earlier = row.labels
      if (!earlier && !seen) return null
      const base = earlier ? earlier.base : labelSetOf(seen as Sample)
      const current = earlier ? earlier.mine : base
      const mine = { tags: [...new Set([...current.tags, ...tags])], boxes: current.boxes }
      if (sameLabels(current, mine)) return earlier ? { labels: earlier, verdict: null } : null
      const origins = earlier ? earlier.origins : base.boxes.map((_, i) => i)
      return { labels: { base, mine, origins, cleared: false }, verdict: null }
    },
    holdMs
  )
}

/**
 * The reviewer's labels for an image. `shown` is the image as the reviewer saw it (with any
 * earlier edit on top); `mine` and `origins` (for each of mine's boxes, the index of the box of
 * `shown` it was made from, or null) say what they made of it.
 */
export function queueLabels(
  db: TagdeckDb,
  clock: Clock,
  job: JobKey,
  shown: Sample,
  mine: LabelSet,
  origins: (number | null)[],
  holdMs = 0
): Promise<string | null> {
  return putEdit(
    db,
    clock,
    job,
    shown,
    'labels',
    (row) => {
      // Origins name boxes of the service's labels (`base`), through any earlier edit. A caller
      // that saw an older state than the earlier edit's has its boxes matched by value instead.
      const earlier = row.labels
      const base = earlier ? earlier.base : labelSetOf(shown)
      const current = earlier?.mine.boxes ?? shown.boxes
      const aligned = earlier === null || sameLabels(earlier.mine, labelSetOf(shown))
      const through = aligned
        ? origins.map((o) => (o === null ? null : earlier ? earlier.origins[o] : o))
        : byValue(mine.boxes, current, earlier.origins)
      if (through.some((o) => o === undefined))
        throw new Error('an origin names no box of the image as shown')
      const labels: LabelChange = {
        base,
        mine,
        origins: through as (number | null)[],
        cleared: mine.tags.length === 0 && mine.boxes.length === 0
      }
      if (sameLabels(base, mine) && labels.origins.every((o, i) => o === i)) return null
      return { labels, verdict: null }
    },
    holdMs
  )
}

/** For each box, the origin of an equal box of `current` (each used once), else null. */
function byValue(
  boxes: readonly Box[],
  current: readonly Box[],
  origins: readonly (number | null)[]
): (number | null)[] {
  const taken = new Set<number>()
  return boxes.map((box) => {
    const i = current.findIndex((c, k) => !taken.has(k) && sameBox(c, box))
    if (i < 0) return null
    taken.add(i)
    return origins[i] ?? null
  })
}

/** A verdict on a task's image (a later one on the same image replaces it until sent). */
export function queueVerdict(
  db: TagdeckDb,
  clock: Clock,
  job: JobKey,
  sample: Pick<Sample, 'id' | 'name'>,
  verdict: NonNullable<EditRow['verdict']>,
  holdMs = 0
): Promise<string | null> {
  return putEdit(db, clock, job, sample, 'verdict', () => ({ labels: null, verdict }), holdMs)
}

/**
 * Steps an edit back once (to the reviewer's previous change of that image, or to none), if it
 * is not being sent. Returns false when it was too late (sent, or being sent) or unknown.
 */
export async function undoEdit(db: TagdeckDb, clock: Clock, id: string): Promise<boolean> {
  return db.transaction('rw', writeScope(db), async () => {
    const row = await db.edits.get(id)
    if (!row || (await flyingEdits(db)).has(id)) return false
    const previous = row.history.at(-1)
    if (!previous) {
      await unlogEdits(db, [row])
      await db.edits.delete(id)
    } else {
      const now = clock.now()
      const back: EditRow = {
        ...row,
        ...previous,
        history: row.history.slice(0, -1),
        status: row.status === 'paused' ? 'paused' : 'queued',
        // Due when it was (a queued edit keeps its place), but never before now: a conflict's
        // old time may be older than where the sync's reads start (`findEditFloor`).
        nextAttemptAt: Math.max(row.nextAttemptAt, now),
        updatedAt: now,
        conflict: null,
        lastError: null
      }
      await logEdits(db, [back], back.updatedAt)
      await db.edits.put(back)
    }
    await touchJob(db, row, {})
    return true
  })
}

/** Gives an edit up (a failed or parked one, or a conflict settled as "theirs"). */
export async function discardEdit(db: TagdeckDb, clock: Clock, id: string): Promise<boolean> {
  return db.transaction('rw', writeScope(db), async () => {
    const row = await db.edits.get(id)
    if (!row || (await flyingEdits(db)).has(id)) return false
    await markEdit(
      db,
      row,
      row.conflict ? { discarded: true, resolved: 'theirs' } : { discarded: true },
      clock.now()
    )
    await db.edits.delete(id)
    // A conflict's "theirs" is what the image now shows.
    if (row.conflict) await settleLabels(db, row, row.conflict.theirs)
    await touchJob(db, row, {})
    return true
  })
}

/**
 * A conflict settled: `theirs` keeps the colleague's labels (the edit goes); `mine` sends the
 * reviewer's labels over what the service holds now (the colleague's change is the new base).
 */
export async function resolveConflict(
  db: TagdeckDb,
  clock: Clock,
  id: string,
  choice: 'theirs' | 'mine'
): Promise<boolean> {
  if (choice === 'theirs') return discardEdit(db, clock, id)
  return db.transaction('rw', writeScope(db), async () => {
    const row = await db.edits.get(id)
    if (!row?.conflict || !row.labels) return false
    const now = clock.now()
    const base = row.conflict.theirs
    const mine = row.labels.mine
    await markEdit(db, row, { resolved: 'mine' }, now)
    const resolved: EditRow = {
      ...row,
      // Mine replaces theirs whole: none of mine's boxes is one of theirs.
      labels: { base, mine, origins: mine.boxes.map(() => null), cleared: row.labels.cleared },
      status: 'queued',
      nextAttemptAt: now,
      updatedAt: now,
      conflict: null,
      lastError: null
    }
    await logEdits(db, [resolved], now)
    await db.edits.put(resolved)
    await settleLabels(db, row, base)
    await touchJob(db, row, {})
    return true
  })
}

/** Sends failed or parked edits again. */
export async function retryEdits(db: TagdeckDb, clock: Clock, ids: readonly string[]) {
  return db.transaction('rw', db.edits, db.pauses, async () => {
    const now = clock.now()
    const rows = (await db.edits.bulkGet([...ids])).filter(
      (r): r is EditRow => r !== undefined && (r.status === 'failed' || r.status === 'parked')
    )
    const paused = new Set((await db.pauses.toArray()).map((p) => p.connectionId))
    await db.edits.bulkPut(
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

/**
 * The service holds these labels now: every cached copy of the image takes them (its pages, its
 * own row, the replica held in memory), in the caller's transaction (`writeScope`).
 */
export async function settleLabels(
  db: TagdeckDb,
  row: Pick<EditRow, 'connectionId' | 'jobId' | 'sampleId'>,
  labels: LabelSet
): Promise<void> {
  await patchCached(db, row, new Map([[row.sampleId, (s: Sample) => withLabels(s, labels)]]))
}

/** Rewrites cached copies of some samples of a job (pages and single rows). */
export async function patchCached(
  db: TagdeckDb,
  job: JobKey,
  patches: Map<string, (sample: Sample) => Sample>
): Promise<void> {
  if (patches.size === 0) return
  const ids = new Set(patches.keys())
  const pages = await pagesHolding(db, job, ids)
  await putPages(
    db,
    pages.map((page) => ({
      ...page,
      samples: page.samples.map((s) => patches.get(s.id)?.(s) ?? s)
    }))
  )
  patchHeld(db, job, patches)
  const rows = await singleRows(db, job, ids)
  await db.samples.bulkPut(
    rows.map((r) => ({
      ...r,
      sample: (patches.get(r.sampleId) as (s: Sample) => Sample)(r.sample)
    }))
  )
}

/**
 * Edits of some statuses, oldest first, up to `limit` (the panel's rows). Those in flight are
 * queued rows named by a batch in flight: `sending`, not `queued`.
 */
export async function editRows(
  db: TagdeckDb,
  statuses: readonly EditStatus[],
  limit: number
): Promise<EditRow[]> {
  return db.transaction('r', db.edits, db.editFlight, async () => {
    const flying = await flyingEdits(db)
    const byStatus = await Promise.all(
      statuses.map(async (status) => {
        // By id, as the index orders rows of one time (a batch's record ids are random).
        if (status === 'sending')
          return (await db.edits.bulkGet([...flying].sort().slice(0, limit))).filter(
            (r): r is EditRow => r !== undefined
          )
        const rows = db.edits
          .where('[status+nextAttemptAt]')
          .between([status, Dexie.minKey], [status, Dexie.maxKey])
        return status === 'queued'
          ? rows
              .filter((r) => !flying.has(r.id))
              .limit(limit)
              .toArray()
          : rows.limit(limit).toArray()
      })
    )
    return byStatus
      .flat()
      .sort((a, b) => a.createdAt - b.createdAt)
      .slice(0, limit)
  })
}
