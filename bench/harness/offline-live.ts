import type { JobKey } from '../../src/renderer/src/offline/store/db'
import { createOffline, type Offline } from '../../src/renderer/src/offline/index'
import { OFFLINE_PER_PAGE } from '../../src/renderer/src/offline/downloads/walk'
import { appContext } from '../../src/renderer/src/offline/runtime'
import { call } from '../../src/renderer/src/platform'
import { jobSignatures } from '../../src/renderer/src/offline/signatures/queue'

/**
 * Measurements for the live half of `bench/offline.bench.ts`, run in Chromium on the browser
 * shell's origin: the real offline layer over the real bridge to the real main-process code and
 * the local service. Caching a whole job for offline use, and draining a queue of deletions.
 * Not part of the app.
 */

let offline: Offline | null = null
const layer = () =>
  // No undo window: the bench queues everything first, then times the drain alone. No
  // near-duplicate signatures: `cacheJobHashing` runs the same with them.
  (offline ??= createOffline({ ...appContext(), thumbSignatures: undefined }, { undoWindowMs: 0 }))

/** The app's own: signatures come with each chunk of thumbnails main caches. */
let hashing: Offline | null = null
const hashingLayer = () => (hashing ??= createOffline(appContext(), { undoWindowMs: 0 }))

/**
 * "Make available offline" with near-duplicate signatures made as the thumbnails are cached:
 * the download's time, and the time until every signature is stored.
 */
export async function cacheJobHashing(job: JobKey) {
  const started = performance.now()
  await hashingLayer().downloads.start(job)
  const ms = performance.now() - started
  await hashingLayer().signatures?.idle()
  const allMs = performance.now() - started
  const signatures = await jobSignatures(hashingLayer().context.db, job).count()
  return { ms, allMs, signatures }
}

const ALL = { kind: 'everything' } as const

/** Saves the shell's demo service as a connection; its jobs. */
export async function setup() {
  const profile = await call('connections.addDemo')
  const datasets = await call('jobs.list', { connectionId: profile.id })
  return {
    connectionId: profile.id,
    jobs: datasets.map((d) => ({ id: d.id, name: d.name, type: d.type }))
  }
}

/**
 * Another connection to the same service, as a user would add one (its own id, so its pages and
 * images are cached apart from every other connection's): a run of the bench of its own.
 */
export async function addConnection(
  service: { endpoint: string; projectId: string; ak: string; sk: string },
  name: string
): Promise<string> {
  const profile = await call('connections.save', {
    name,
    target: { kind: 'endpoint', url: service.endpoint },
    projectId: service.projectId,
    auth: { kind: 'aksk', ak: service.ak },
    secret: service.sk,
    allowSessionOnlySecret: true
  })
  return profile.id
}

/** "Make available offline" (pages and thumbnails), timed from the call to the job being done. */
export async function cacheJob(job: JobKey) {
  const started = performance.now()
  await layer().downloads.start(job)
  const ms = performance.now() - started
  const row = await layer().context.db.offlineJobs.get([job.connectionId, job.jobId])
  if (row?.state !== 'done')
    throw new Error(`download ended ${row?.state ?? 'without a row'}: ${row?.lastError ?? ''}`)
  return {
    ms,
    pages: row.pagesDone,
    images: row.imagesDone,
    failed: row.imagesFailed,
    bytes: row.bytes
  }
}

/** The job's sample ids, read back from the cache only (the pages `cacheJob` stored). */
export async function cachedIds(job: JobKey): Promise<string[]> {
  const ids: string[] = []
  for (let page = 1; ; page++) {
    const view = await layer().cachedPage({ ...job, filter: ALL, perPage: OFFLINE_PER_PAGE, page })
    if (!view || view.samples.length === 0) return ids
    ids.push(...view.samples.map((s) => s.id))
    if (page >= view.pageCount) return ids
  }
}

/** Queues the deletions as one selection would (one transaction); returns its time. */
export async function queue(job: JobKey, ids: string[]): Promise<number> {
  const started = performance.now()
  const result = await layer().deleteSamples(job, ids)
  if (result.deletionIds.length !== ids.length)
    throw new Error(`queued ${result.deletionIds.length} of ${ids.length}`)
  return performance.now() - started
}

/**
 * One drain of the outbox, as the sync engine runs it once the service is reachable, and the
 * confirmed deletions folded into the cached pages after it (timed with it, and apart).
 */
export async function sync() {
  const started = performance.now()
  const report = await layer().sync.drain()
  const folding = performance.now()
  await layer().sync.foldDeletions()
  const ms = performance.now() - started
  const left = await layer().pendingCounts()
  return { ms, foldMs: performance.now() - folding, ...report, left }
}

/** The same DeleteSamples calls the sync makes, one after another, with no offline layer. */
export async function deleteEach(job: JobKey, ids: string[]): Promise<number> {
  const started = performance.now()
  for (let i = 0; i < ids.length; i += 100) {
    const outcomes = await call('samples.delete', { ...job, sampleIds: ids.slice(i, i + 100) })
    const deleted = outcomes.filter((o) => o.status === 'deleted').length
    if (deleted !== Math.min(100, ids.length - i)) throw new Error(`deleted ${deleted} at ${i}`)
  }
  return performance.now() - started
}
