import type { JobKey, SettledSample, TagdeckDb } from './db'

/**
 * The outbox's two kinds of batch records (`db.ts`): batches in flight, whose groups read as
 * `sending`, and settled batches, confirmed by the service and waiting to be folded into the
 * cached pages; and review edits' batches in flight (`editFlight`), whose edits read as
 * `sending`. These tables hold a handful of records, so these reads are cheap anywhere.
 */

const ofJob = (job: JobKey): [string, string] => [job.connectionId, job.jobId]

/** The ids a table of batches in flight names (of one connection's batches, if given). */
async function named<B extends { connectionId: string }>(
  batches: Promise<B[]>,
  ids: (batch: B) => string[],
  connectionId: string | undefined
): Promise<Set<string>> {
  return new Set(
    (await batches)
      .filter((b) => connectionId === undefined || b.connectionId === connectionId)
      .flatMap(ids)
  )
}

/** Ids of every outbox group in flight (of one connection, if given). */
export const flyingIds = (db: TagdeckDb, connectionId?: string): Promise<Set<string>> =>
  named(db.inflight.toArray(), (b) => b.groupIds, connectionId)

/** Ids of every review edit in flight (of one connection, if given): these read as `sending`. */
export const flyingEdits = (db: TagdeckDb, connectionId?: string): Promise<Set<string>> =>
  named(db.editFlight.toArray(), (b) => b.editIds, connectionId)

/** Whether a batch of this job is on its way: the service's offsets are moving. */
export async function jobInFlight(db: TagdeckDb, job: JobKey): Promise<boolean> {
  return (await db.inflight.where('[connectionId+jobId]').equals(ofJob(job)).count()) > 0
}

/** Rows of the job the service confirmed that the cached pages do not reflect yet. */
export async function settledRows(db: TagdeckDb, job: JobKey): Promise<SettledSample[]> {
  const batches = await db.settled.where('[connectionId+jobId]').equals(ofJob(job)).toArray()
  return batches.flatMap((b) => b.rows)
}

export async function hasSettled(db: TagdeckDb, job: JobKey): Promise<boolean> {
  return (await db.settled.where('[connectionId+jobId]').equals(ofJob(job)).count()) > 0
}
