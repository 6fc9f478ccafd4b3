import type { OutboxStatus, JobKey } from './store/db'
import type { OfflineContext } from './context'
import { cacheBytes, evict, type EvictResult } from './store/evict'
import {
  cachedLabels,
  cachedSample,
  cachedStats,
  readLabels,
  readSample,
  readStats,
  watchJob
} from './reads/job-data'
import { OfflineDownloads } from './downloads/job'
import { cachedSamples } from './hiding/listing'
import * as outbox from './outbox/outbox'
import { cachedPage, readPage, refreshPage, type PageRequest } from './reads/pages'
import { SyncEngine, type SyncEngineOptions } from './sync/sync-engine'
import { watchSyncStatus, type SyncStatus } from './sync/sync-status'

/**
 * The renderer's offline layer, in one object. Build it with `createOffline(context)` (tests)
 * or take the app's with `getOffline()` from `./runtime`. Call `start()` once at startup.
 */
export interface OfflineOptions {
  sync?: Partial<SyncEngineOptions>
  /** How long a new deletion waits before it is sent, so Undo works online too. */
  undoWindowMs?: number
  /** Cap on cached pages in IndexedDB, applied at `start()` (call `evict` when it changes). */
  cacheCapBytes?: number
}

export function createOffline(ctx: OfflineContext, options: OfflineOptions = {}) {
  const { db, clock } = ctx
  const undoWindowMs = options.undoWindowMs ?? 3_000
  const syncOptions = options.sync ?? {}
  const sync = new SyncEngine(ctx, syncOptions)
  const downloads = new OfflineDownloads(ctx)
  return {
    context: ctx,
    sync,
    downloads,

    /**
     * Connectivity from main, the sync runner (if this window wins the lock), downloads cut
     * short last time resumed, and (in the background) every finished download checked
     * against main's image cache.
     */
    async start(): Promise<void> {
      if (options.cacheCapBytes !== undefined) await evict(db, options.cacheCapBytes)
      await ctx.connectivity.start()
      sync.start()
      await downloads.resumeInterrupted()
      void downloads
        .checkFinished()
        .catch((error: unknown) =>
          console.warn('Tagdeck: the offline copies could not be checked', error)
        )
    },
    async stop(): Promise<void> {
      await sync.stop()
      await downloads.stopAll()
      ctx.connectivity.stop()
    },

    // ---- reads (cache-first) -------------------------------------------------------------
    readPage: (req: PageRequest) => readPage(ctx, req),
    refreshPage: (req: PageRequest) => refreshPage(ctx, req),
    cachedPage: (req: PageRequest) => cachedPage(db, req, clock.now()),
    readStats: (job: JobKey) => readStats(ctx, job),
    cachedStats: (job: JobKey) => cachedStats(db, job, clock.now()),
    readLabels: (job: JobKey) => readLabels(ctx, job),
    cachedLabels: (job: JobKey) => cachedLabels(db, job, clock.now()),
    readSample: (job: JobKey, sampleId: string) => readSample(ctx, job, sampleId),
    cachedSample: (job: JobKey, sampleId: string) => cachedSample(db, job, sampleId, clock.now()),
    watchJob: (job: JobKey, listener: () => void) => watchJob(db, job, listener),
    /** The names of those samples the cache holds (confirmations and toasts name them). */
    async sampleNames(job: JobKey, sampleIds: readonly string[]): Promise<Map<string, string>> {
      const found = await db.transaction('r', [db.pages, db.pageIds, db.samples], () =>
        cachedSamples(db, job, sampleIds)
      )
      return new Map([...found].map(([id, { sample }]) => [id, sample.name]))
    },

    // ---- the outbox ----------------------------------------------------------------------
    /**
     * Queues the deletions and hides the samples (one transaction). They are sent after
     * `holdMs` (by default `undoWindowMs`) when the service is reachable, else whenever it is
     * again.
     */
    async deleteSamples(job: JobKey, sampleIds: readonly string[], holdMs = undoWindowMs) {
      const result = await outbox.queueDeletions(db, clock, job, sampleIds, holdMs)
      sync.wake()
      return result
    },
    undo: (rowIds: readonly string[]) => outbox.undo(db, rowIds),
    discard: (rowIds: readonly string[]) => outbox.discard(db, rowIds),
    async retry(rowIds: readonly string[]) {
      const n = await outbox.retry(db, clock, rowIds)
      sync.wake()
      return n
    },
    /** After the user signed in again: the paused queue of the connection goes out. */
    async resumeConnection(connectionId: string) {
      const n = await outbox.resumeConnection(db, clock, connectionId)
      sync.wake()
      return n
    },
    pendingCounts: (connectionId?: string) => outbox.pendingCounts(db, connectionId),
    pendingRows: (status: OutboxStatus, limit?: number): Promise<outbox.PanelRow[]> =>
      outbox.pendingRows(db, status, limit),
    watchSyncStatus: (listener: (status: SyncStatus) => void, connectionId?: string) =>
      watchSyncStatus(db, ctx.connectivity, listener, connectionId),

    // ---- cache size ----------------------------------------------------------------------
    evict: (capBytes: number): Promise<EvictResult> => evict(db, capBytes),
    cacheBytes: () => cacheBytes(db)
  }
}

export type Offline = ReturnType<typeof createOffline>
