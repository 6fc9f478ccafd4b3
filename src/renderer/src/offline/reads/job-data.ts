import { liveQuery } from 'dexie'
import type { JobStats, Label, Sample } from '../../../../shared/domain'
import type { JobKey, JobRow, TagdeckDb } from '../store/db'
import { emptyJob, outboxId, outboxOfJob, queuedKeys } from '../store/db'
import type { OfflineContext } from '../context'
import { isUnreachable, notAvailableOffline } from '../errors'
import { hasSettled, jobInFlight, settledRows } from '../store/batches'
import { cachedSamples, rebaseJob, writeScope } from '../hiding/listing'
import { subtractFromStats } from '../hiding/overlay'
import { logFailure } from '../log'
import { overlay, sampleEdits } from '../edits/overlay'

/** Cache-first reads of a job's stats, labels and single samples (the viewer). */

export interface Cached<T> {
  value: T
  fetchedAt: number
  ageMs: number
}

/**
 * The job's stats with every queued deletion taken out, and every confirmed one the stored
 * stats do not reflect yet. Database only: liveQuery-safe.
 */
export function cachedStats(
  db: TagdeckDb,
  job: JobKey,
  now = Date.now()
): Promise<Cached<JobStats> | null> {
  return db.transaction('r', db.jobs, db.outbox, db.settled, async () => {
    const row = await db.jobs.get([job.connectionId, job.jobId])
    if (!row?.stats || row.statsAt === null) return null
    const queued = (await outboxOfJob(db, job).toArray()).flatMap((g) => g.samples)
    const settled = await settledRows(db, job)
    return {
      value: subtractFromStats(row.stats, [...queued, ...settled]),
      fetchedAt: row.statsAt,
      ageMs: Math.max(0, now - row.statsAt)
    }
  })
}

async function refreshStats(ctx: OfflineContext, job: JobKey): Promise<void> {
  const { db } = ctx
  const generation = (await db.jobs.get([job.connectionId, job.jobId]))?.generation ?? 0
  const stats = await ctx.transport('jobs.stats', {
    connectionId: job.connectionId,
    jobId: job.jobId
  })
  await db.transaction('rw', writeScope(db), async () => {
    const now = ctx.clock.now()
    const before = await db.jobs.get([job.connectionId, job.jobId])
    if ((before?.generation ?? 0) !== generation) return // a batch was sent meanwhile
    if (await jobInFlight(db, job)) return
    if (await hasSettled(db, job)) await rebaseJob(db, job, now)
    const row = (await db.jobs.get([job.connectionId, job.jobId])) ?? emptyJob(job)
    await db.jobs.put({ ...row, stats, statsAt: now, version: row.version + 1 })
  })
}

async function refreshLabels(ctx: OfflineContext, job: JobKey): Promise<void> {
  const labels = await ctx.transport('jobs.labels', {
    connectionId: job.connectionId,
    jobId: job.jobId
  })
  const { db } = ctx
  await db.transaction('rw', db.jobs, async () => {
    const row = (await db.jobs.get([job.connectionId, job.jobId])) ?? emptyJob(job)
    await db.jobs.put({ ...row, labels, labelsAt: ctx.clock.now(), version: row.version + 1 })
  })
}

/** Labels and stats read from the service and stored (a replica holds them beside its samples). */
export async function refreshJobData(ctx: OfflineContext, job: JobKey): Promise<void> {
  await Promise.all([refreshLabels(ctx, job), refreshStats(ctx, job)])
}

/** Cached value at once (refreshed in the background when due), else fetched, else 'offline'. */
async function cacheFirst<T>(
  ctx: OfflineContext,
  job: JobKey,
  what: string,
  cached: () => Promise<Cached<T> | null>,
  refresh: () => Promise<void>
): Promise<Cached<T>> {
  const hit = await cached()
  const reachable = ctx.connectivity.mayTry(job.connectionId)
  if (hit) {
    if (reachable && hit.ageMs >= ctx.revalidateAfterMs)
      refresh().catch(logFailure(`${what} could not be refreshed`))
    return hit
  }
  if (!reachable) throw notAvailableOffline(what)
  try {
    await refresh()
  } catch (error) {
    if (isUnreachable(error)) throw notAvailableOffline(what)
    throw error
  }
  const fresh = await cached()
  if (!fresh) throw notAvailableOffline(what)
  return fresh
}

export function readStats(ctx: OfflineContext, job: JobKey): Promise<Cached<JobStats>> {
  return cacheFirst(
    ctx,
    job,
    "This job's counts",
    () => cachedStats(ctx.db, job, ctx.clock.now()),
    () => refreshStats(ctx, job)
  )
}

export async function cachedLabels(
  db: TagdeckDb,
  job: JobKey,
  now = Date.now()
): Promise<Cached<Label[]> | null> {
  const row = await db.jobs.get([job.connectionId, job.jobId])
  if (!row?.labels || row.labelsAt === null) return null
  return { value: row.labels, fetchedAt: row.labelsAt, ageMs: Math.max(0, now - row.labelsAt) }
}

export function readLabels(ctx: OfflineContext, job: JobKey): Promise<Cached<Label[]>> {
  return cacheFirst(
    ctx,
    job,
    "This job's labels",
    () => cachedLabels(ctx.db, job, ctx.clock.now()),
    () => refreshLabels(ctx, job)
  )
}

export interface CachedSample extends Cached<Sample> {
  /** Queued for deletion (hidden from the grid, still on the service). */
  pendingDeletion: boolean
}

export async function cachedSample(
  db: TagdeckDb,
  job: JobKey,
  sampleId: string,
  now = Date.now()
): Promise<CachedSample | null> {
  return db.transaction(
    'r',
    [db.samples, db.pages, db.pageIds, db.outbox, db.settled, db.edits],
    async () => {
      const found = (await cachedSamples(db, job, [sampleId])).get(sampleId)
      if (!found) return null
      const edits = await sampleEdits(db, job, sampleId)
      const key = outboxId(job.connectionId, job.jobId, sampleId)
      const queued = (await queuedKeys(db, [key])).has(key)
      const settled = queued ? [] : await settledRows(db, job)
      return {
        value: overlay(found.sample, edits),
        fetchedAt: found.at,
        ageMs: Math.max(0, now - found.at),
        pendingDeletion: queued || settled.some((r) => r.sampleId === sampleId)
      }
    }
  )
}

/**
 * One sample as the service has it now (the viewer re-reads the image it opens: a colleague may
 * have changed its tags since its page was listed), kept as the sample's freshest copy; when the
 * service cannot be reached, the cached copy (offline: the last one seen).
 */
export async function readSample(
  ctx: OfflineContext,
  job: JobKey,
  sampleId: string
): Promise<CachedSample> {
  const { db } = ctx
  if (ctx.connectivity.mayTry(job.connectionId)) {
    try {
      const sample = await ctx.transport('samples.get', { ...job, sampleId })
      await db.samples.put({ ...job, sampleId, sample, lastSeen: ctx.clock.now() })
    } catch (error) {
      if (!isUnreachable(error)) throw error
    }
  }
  const hit = await cachedSample(db, job, sampleId, ctx.clock.now())
  if (!hit) throw notAvailableOffline('This image')
  return hit
}

/**
 * Calls `listener` whenever what a reader of the job sees may have changed: a delete, an undo,
 * a sync, a refresh that brought something new; in this window or another. Returns unsubscribe.
 */
export function watchJob(
  db: TagdeckDb,
  job: JobKey,
  listener: (row: JobRow | null) => void
): () => void {
  let first = true
  const subscription = liveQuery(() => db.jobs.get([job.connectionId, job.jobId])).subscribe({
    next: (row) => {
      if (first) return void (first = false)
      listener(row ?? null)
    },
    error: logFailure('changes to a job can no longer be followed')
  })
  return () => subscription.unsubscribe()
}
