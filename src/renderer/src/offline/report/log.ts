import { Dexie } from 'dexie'
import type {
  DeletionLogRow,
  EditLogRow,
  EditRow,
  JobKey,
  ReviewLogRow,
  TagdeckDb
} from '../store/db'
import { OUTBOX_GROUP } from '../store/db'

/**
 * Writing the review log (see `ReviewLogRow`), always inside the caller's read-write
 * transaction (`writeScope`), so an edit or a deletion and its entry are written together. The
 * sync never writes here: where an entry stands is read off the edit or the outbox group while
 * it waits (`reviewReport`), and one that left them without being discarded was sent. So a sync
 * of 10,000 changes costs no extra write.
 */

let seq = 0

/** A log entry's id: the time first, so ids of one job sort roughly in the order queued. */
export function logId(now: number): string {
  seq = (seq + 1) % 1_000_000
  const time = Math.max(0, Math.floor(now)).toString(36).padStart(10, '0')
  return `${time}-${seq.toString(36).padStart(4, '0')}-${crypto.randomUUID()}`
}

/** An edit's entry as the edit stands now (`before`: its entry so far, if any). */
export function editEntry(row: EditRow, logged: string, before?: EditLogRow): EditLogRow {
  return {
    connectionId: row.connectionId,
    jobId: row.jobId,
    id: logged,
    kind: row.kind,
    sampleId: row.sampleId,
    name: row.name,
    editId: row.id,
    at: before?.at ?? row.createdAt,
    updatedAt: row.updatedAt,
    labels: row.labels,
    verdict: row.verdict,
    discarded: false,
    resolved: before?.resolved ?? null
  }
}

/**
 * Edits about to be written (queued, changed, stepped back): each gets an entry (a row without
 * one gets a new id, set on the row, so write the rows after this), or its entry follows it.
 */
export async function logEdits(db: TagdeckDb, rows: EditRow[], now: number): Promise<void> {
  if (rows.length === 0) return
  const known = await db.reviewLog.bulkGet(rows.map((r) => r.logId ?? ''))
  const entries = rows.map((row, i) => {
    const before = known[i]
    row.logId ??= logId(now)
    return editEntry(row, row.logId, before?.kind === 'delete' ? undefined : before)
  })
  await db.reviewLog.bulkPut(entries)
}

/** Edits taken back whole (undone, or changed back to what the service holds): no entry left. */
export async function unlogEdits(db: TagdeckDb, rows: readonly (EditRow | undefined)[]) {
  const ids = rows.flatMap((r) => (r?.logId ? [r.logId] : []))
  if (ids.length > 0) await db.reviewLog.bulkDelete(ids)
}

/** An edit given up, or a conflict settled (`resolved`): its entry says so. */
export async function markEdit(
  db: TagdeckDb,
  row: EditRow,
  change: { discarded?: boolean; resolved?: 'mine' | 'theirs' },
  now: number
): Promise<void> {
  if (!row.logId) return
  const entry = await db.reviewLog.get(row.logId)
  if (!entry || entry.kind === 'delete') return
  await db.reviewLog.put({
    ...entry,
    discarded: change.discarded ?? entry.discarded,
    resolved: change.resolved ?? entry.resolved,
    updatedAt: now
  })
}

/** Deletions just queued: entries of up to `OUTBOX_GROUP` samples, as the outbox groups them. */
export async function logDeletions(
  db: TagdeckDb,
  job: JobKey,
  samples: readonly { sampleId: string; name: string | null }[],
  now: number
): Promise<void> {
  const entries: DeletionLogRow[] = []
  for (let i = 0; i < samples.length; i += OUTBOX_GROUP) {
    entries.push({
      connectionId: job.connectionId,
      jobId: job.jobId,
      id: logId(now),
      kind: 'delete',
      at: now,
      updatedAt: now,
      samples: samples.slice(i, i + OUTBOX_GROUP).map(({ sampleId, name }) => ({ sampleId, name })),
      discarded: []
    })
  }
  await db.reviewLog.bulkAdd(entries)
}

/**
 * Deletions taken back before they were sent: undone (their samples leave the log, as if never
 * deleted) or discarded (kept, marked given up). Newest entries first: an undo is most often of
 * the latest deletions.
 */
export async function unlogDeletions(
  db: TagdeckDb,
  job: JobKey,
  sampleIds: readonly string[],
  how: 'undo' | 'discard'
): Promise<void> {
  const left = new Set(sampleIds)
  if (left.size === 0) return
  const changed: DeletionLogRow[] = []
  await jobLog(db, job)
    .reverse()
    .until(() => left.size === 0)
    .each((entry) => {
      if (entry.kind !== 'delete') return
      const hit = entry.samples.filter(
        (s) => left.has(s.sampleId) && !entry.discarded.includes(s.sampleId)
      )
      if (hit.length === 0) return
      for (const s of hit) left.delete(s.sampleId)
      const ids = new Set(hit.map((s) => s.sampleId))
      changed.push(
        how === 'undo'
          ? { ...entry, samples: entry.samples.filter((s) => !ids.has(s.sampleId)) }
          : { ...entry, discarded: [...entry.discarded, ...ids] }
      )
    })
  await db.reviewLog.bulkDelete(changed.filter((e) => e.samples.length === 0).map((e) => e.id))
  await db.reviewLog.bulkPut(changed.filter((e) => e.samples.length > 0))
}

/** A job's log, in the order its entries were first queued. */
export function jobLog(db: TagdeckDb, job: JobKey) {
  return db.reviewLog
    .where('[connectionId+jobId+at]')
    .between(
      [job.connectionId, job.jobId, Dexie.minKey],
      [job.connectionId, job.jobId, Dexie.maxKey]
    )
}

export type { ReviewLogRow }
