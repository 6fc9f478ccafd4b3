import type { EditRow, EditStatus, OutboxStatus, JobKey } from './store/db'
import { liveQuery } from 'dexie'
import type { OfflineContext } from './context'
import { evict, storageUsage, type EvictResult } from './store/evict'
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
import { cachedPage, readPage, refreshPage, type PageRequest, type PageView } from './reads/pages'
import { SyncEngine, type SyncEngineOptions } from './sync/sync-engine'
import { watchSyncStatus, type SyncStatus } from './sync/sync-status'
import type { JobStats, Sample } from '../../../shared/domain'
import type { LabelSet } from '../../../shared/labels'
import * as edits from './edits/edits'
import { editCounts, resumeEdits } from './sync/sync-edits'
import { TagdeckError } from '../../../shared/errors'
import { throttled } from '../../../shared/clock'
import {
  loadReplica,
  problemsOf,
  replicaStats,
  searchCounts,
  viewOf,
  type Replica
} from './replica/replica'
import { logFailure } from './log'
import { sampleEdits, withEdits } from './edits/overlay'
import { jobSignatures, SignatureQueue } from './signatures/queue'
import { inMemory, jobKeyOf } from './replica/held'
import { refreshReplica } from './replica/refresh'
import { inThreadFindings, pauseForPage } from './replica/findings'
import { narrows, NEAR_DUPLICATES, type LocalSearch } from './replica/search'
import {
  nearDuplicatesOf,
  theRest,
  type NearDuplicateReport
} from './replica/near-duplicate-groups'
import type { Cached } from './reads/job-data'
import { reviewReport } from './report/report'

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
  /** A replica whose oldest page is older than this is read again in the background (online). */
  replicaRevalidateMs?: number
  /** Near-duplicate signatures coming in are reported at most this often (`watchSignatures`). */
  signatureNotifyMs?: number
}

/** The page the grid asks for, of a filter, narrowed by a local search (replicas only). */
export interface ViewRequest extends PageRequest {
  search?: LocalSearch
}

const searchNeedsReplica = () =>
  new TagdeckError({
    code: 'offline',
    message: 'Searching needs the job available offline (Make available offline, whole job).'
  })

export function createOffline(ctx: OfflineContext, options: OfflineOptions = {}) {
  const { db, clock } = ctx
  const undoWindowMs = options.undoWindowMs ?? 3_000
  const syncOptions = options.sync ?? {}
  const sync = new SyncEngine(ctx, syncOptions)
  // Signatures wait while any download runs (it wakes them when it ends) or the reviewer works.
  const signatures = ctx.thumbSignatures
    ? new SignatureQueue(db, ctx.thumbSignatures, () => downloads.anyRunning(), ctx.untilQuiet)
    : null
  const downloads: OfflineDownloads = new OfflineDownloads(ctx, signatures)
  const replicaRevalidateMs = options.replicaRevalidateMs ?? 5 * 60_000
  const signatureNotifyMs = options.signatureNotifyMs ?? 10_000
  const refreshing = new Map<string, Promise<void>>()
  const findings = ctx.findings ?? inThreadFindings(pauseForPage)

  /**
   * Reads a replica again from the service when its oldest page is due and the service is
   * reachable, one refresh per job at a time, never beside the job's own download.
   */
  function refreshWhenDue(replica: Replica): void {
    const { job } = replica
    const key = jobKeyOf(job)
    if (refreshing.has(key) || downloads.running(job)) return
    if (!ctx.connectivity.mayTry(job.connectionId)) return
    if (clock.now() - replica.fetchedAt < replicaRevalidateMs) return
    const task = refreshReplica(ctx, job, new AbortController().signal)
      .then((whole) => (whole ? downloads.fetchMissing(job) : undefined))
      .catch((error: unknown) =>
        console.warn('Tagdeck: the offline copy of a job could not be refreshed', error)
      )
      .finally(() => refreshing.delete(key))
    refreshing.set(key, task)
  }

  /** A page from the cache or the service, with the reviewer's edits on top. */
  async function pageWithEdits(req: PageRequest): Promise<PageView> {
    const view = await readPage(ctx, req)
    return { ...view, samples: await withEdits(db, req, view.samples) }
  }

  async function replicaOf(job: JobKey): Promise<Replica | null> {
    const replica = await loadReplica(db, job)
    if (replica) refreshWhenDue(replica)
    return replica
  }

  /**
   * The replica's near-duplicate groups; images still without a signature (a job made
   * available before signatures were made, a thumbnail that could not be read) are queued,
   * unless the job's download is running (it gives them as it caches them).
   */
  async function groupsOf(replica: Replica): Promise<NearDuplicateReport> {
    const report = await nearDuplicatesOf(db, replica, findings, clock.now())
    if (signatures && report.missing > 0 && !downloads.running(replica.job))
      void signatures
        .fill(replica.job, report.missingIds)
        .catch(logFailure('missing near-duplicate signatures could not be queued'))
    return report
  }

  /** The grouped images by id (only those: a map of every image of a big job is a long task). */
  function groupedById(replica: Replica, report: NearDuplicateReport): Map<string, Sample> {
    const byId = new Map<string, Sample>()
    for (const s of replica.samples) if (report.groupOf.has(s.id)) byId.set(s.id, s)
    return byId
  }

  /** What a search for a problem needs: the finder's report, or the near-duplicate groups. */
  async function findingsFor(replica: Replica, search: LocalSearch | undefined) {
    if (search?.problem === NEAR_DUPLICATES) return { groups: await groupsOf(replica) }
    return { report: search?.problem ? await problemsOf(replica, findings) : undefined }
  }

  return {
    context: ctx,
    sync,
    downloads,
    /** Near-duplicate signatures made as thumbnails are cached (null: no hasher here). */
    signatures,

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
    /**
     * One page of a filter (narrowed by a local search): from the job's replica when it is
     * held whole (at once; refreshed in the background when due), else cache-first.
     */
    async readPage(req: ViewRequest): Promise<PageView> {
      // Reading a big replica takes a while (a 100,000-image job: about 2 s); until it is held,
      // the first view of a job, everything in the service's order, is its cached pages.
      if (req.filter.kind === 'everything' && req.search === undefined && !inMemory(db, req)) {
        const page = await pageWithEdits(req)
        void replicaOf(req).catch(logFailure('the offline copy of a job could not be read'))
        return page
      }
      const replica = await replicaOf(req)
      if (!replica) {
        if (narrows(req.search)) throw searchNeedsReplica()
        return pageWithEdits(req)
      }
      const { report, groups } = await findingsFor(replica, req.search)
      const all = viewOf(replica, req.filter, req.search, report, groups)
      const start = (req.page - 1) * req.perPage
      return {
        samples: all.slice(start, start + req.perPage),
        total: all.length,
        page: req.page,
        perPage: req.perPage,
        pageCount: Math.ceil(all.length / req.perPage),
        fetchedAt: replica.fetchedAt,
        ageMs: Math.max(0, clock.now() - replica.fetchedAt),
        stale: false,
        fromCache: true
      }
    },
    /** Counts beside each choice of a search (replicas only; null for other jobs). */
    async searchCounts(job: JobKey, filter: ViewRequest['filter'], search: LocalSearch) {
      const replica = await replicaOf(job)
      if (!replica) return null
      const { report, groups } = await findingsFor(replica, search)
      return searchCounts(replica, filter, search, report, groups)
    },
    /**
     * Images per problem check of a job held whole (null for other jobs), worked out off the
     * UI thread (`findings`).
     */
    async problemCounts(job: JobKey) {
      const replica = await replicaOf(job)
      if (!replica) return null
      const [report, groups] = await Promise.all([problemsOf(replica, findings), groupsOf(replica)])
      return { ...report.counts, [NEAR_DUPLICATES]: groups.images }
    },
    /**
     * The near-duplicate groups of a job held whole (null for other jobs): sample ids group by
     * group, with the image each keeps by default (the largest), and how many images have no
     * signature yet.
     */
    async nearDuplicates(job: JobKey) {
      const replica = await replicaOf(job)
      if (!replica) return null
      const report = await groupsOf(replica)
      const byId = groupedById(replica, report)
      const { kept } = theRest(report, byId, [])
      return { groups: report.groups, kept, images: report.images, missing: report.missing }
    },
    /**
     * Calls `listener` as the job's near-duplicate signatures come in (and once at first), at
     * most once per `signatureNotifyMs`: each call regroups the whole job (about a second of
     * work at 100,000 images), and signatures filled in the background arrive a chunk at a time.
     */
    watchSignatures(job: JobKey, listener: () => void): () => void {
      const notify = throttled(clock, signatureNotifyMs, listener)
      const subscription = liveQuery(() => jobSignatures(db, job).count()).subscribe({
        next: () => notify.call(),
        error: logFailure('the near-duplicate signatures can no longer be followed')
      })
      return () => {
        subscription.unsubscribe()
        notify.cancel()
      }
    },
    /**
     * "Keep one, delete the rest": the image each group keeps (`keep`: the reviewer's choices,
     * else the largest) and every other grouped image, for `deleteSamples` (the outbox).
     */
    async nearDuplicateRest(job: JobKey, keep: readonly string[] = []) {
      const replica = await replicaOf(job)
      if (!replica)
        throw new TagdeckError({
          code: 'offline',
          message: 'Near-duplicates need the job available offline (whole job).'
        })
      const report = await groupsOf(replica)
      const byId = groupedById(replica, report)
      return theRest(report, byId, keep)
    },
    /** What the problem finder found on one image of a job held whole (null: nothing, or no replica). */
    async sampleProblems(job: JobKey, sampleId: string) {
      const replica = await replicaOf(job)
      return replica ? ((await problemsOf(replica, findings)).bySample.get(sampleId) ?? null) : null
    },
    /** Whether the job is held whole (its filters, search and counts answered locally). */
    hasReplica: async (job: JobKey) => (await loadReplica(db, job)) !== null,
    /** Refreshes the job's replica now (the refresh the reads start when due), if it has one. */
    async refreshReplica(job: JobKey): Promise<boolean> {
      if (!(await loadReplica(db, job))) return false
      const whole = await refreshReplica(ctx, job, new AbortController().signal)
      if (whole) await downloads.fetchMissing(job)
      return whole
    },
    refreshPage: (req: PageRequest) => refreshPage(ctx, req),
    async cachedPage(req: PageRequest): Promise<PageView | null> {
      const view = await cachedPage(db, req, clock.now())
      return view && { ...view, samples: await withEdits(db, req, view.samples) }
    },
    /** The job's counts: the replica's when held whole (with the service's label order), else cached. */
    async readStats(job: JobKey): Promise<Cached<JobStats>> {
      const replica = await replicaOf(job)
      if (!replica) return readStats(ctx, job)
      const now = clock.now()
      const [base, labels] = await Promise.all([
        cachedStats(db, job, now),
        cachedLabels(db, job, now)
      ])
      const order = (base?.value.labels ?? labels?.value ?? []).map((l) => l.name)
      return {
        value: replicaStats(replica, order, base?.value.deleted ?? 0),
        fetchedAt: replica.fetchedAt,
        ageMs: Math.max(0, now - replica.fetchedAt)
      }
    },
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
    undo: (deletionIds: readonly string[]) => outbox.undo(db, deletionIds),
    discard: (deletionIds: readonly string[]) => outbox.discard(db, deletionIds),
    async retry(deletionIds: readonly string[]) {
      const n = await outbox.retry(db, clock, deletionIds)
      sync.wake()
      return n
    },
    /** After the user signed in again: the paused queue of the connection goes out. */
    async resumeConnection(connectionId: string) {
      const n = await outbox.resumeConnection(db, clock, connectionId)
      const m = await resumeEdits(db, clock, connectionId)
      sync.wake()
      return n + m
    },
    pendingCounts: (connectionId?: string) => outbox.pendingCounts(db, connectionId),

    // ---- review edits (labels, verdicts), sent by the same runner --------------------------
    /**
     * The reviewer's labels for an image (`shown`: as they saw it, edits included; `origins`:
     * for each of mine's boxes, the index of the box of `shown` it was made from, or null).
     * Shown at once everywhere; sent after `holdMs`. Null: nothing left to send (back as the
     * service holds it).
     */
    async editLabels(
      job: JobKey,
      shown: Sample,
      mine: LabelSet,
      origins: (number | null)[],
      holdMs = undoWindowMs
    ) {
      const id = await edits.queueLabels(db, clock, job, shown, mine, origins, holdMs)
      sync.wake()
      return id
    },
    /** A verdict on a task's image, sent after `holdMs` (a later one replaces it until then). */
    async judge(
      job: JobKey,
      sample: Pick<Sample, 'id' | 'name'>,
      verdict: NonNullable<EditRow['verdict']>,
      holdMs = undoWindowMs
    ) {
      const id = await edits.queueVerdict(db, clock, job, sample, verdict, holdMs)
      sync.wake()
      return id
    },
    /** One verdict on many images of a task (a selection); returns the edits' ids. */
    async judgeMany(
      job: JobKey,
      sampleIds: readonly string[],
      verdict: NonNullable<EditRow['verdict']>,
      holdMs = undoWindowMs
    ) {
      const ids = await edits.queueVerdicts(db, clock, job, sampleIds, verdict, holdMs)
      sync.wake()
      return ids
    },
    /** Tags added to many images (images never seen here are left out); the edits' ids. */
    async addTags(
      job: JobKey,
      sampleIds: readonly string[],
      tags: readonly string[],
      holdMs = undoWindowMs
    ) {
      const ids = await edits.queueAddedTags(db, clock, job, sampleIds, tags, holdMs)
      sync.wake()
      return ids
    },
    /** Steps an edit back once, if it is not being sent (false: too late). */
    undoEdit: (editId: string) => edits.undoEdit(db, clock, editId),
    discardEdit: (editId: string) => edits.discardEdit(db, clock, editId),
    async resolveConflict(editId: string, choice: 'theirs' | 'mine') {
      const done = await edits.resolveConflict(db, clock, editId, choice)
      sync.wake()
      return done
    },
    async retryEdits(editIds: readonly string[]) {
      const n = await edits.retryEdits(db, clock, editIds)
      sync.wake()
      return n
    },
    /** Edits per status (all connections, or one). */
    editCounts: (connectionId?: string) => editCounts(db, connectionId),
    /** Edits of some statuses, oldest first, for the panel (`limit` keeps it cheap). */
    editRows: (statuses: readonly EditStatus[], limit = 200) => edits.editRows(db, statuses, limit),
    /**
     * A job's review report: every deletion, verdict and label change made here, with where
     * it stands (liveQuery-safe: wrap it to follow the sync).
     */
    reviewReport: (job: JobKey) => reviewReport(db, job),
    /**
     * One image's edits (liveQuery-safe: wrap it to follow changes; read by key, so only a change
     * to this image's edits reads it again, not every decision on the job).
     */
    sampleEdits: (job: JobKey, sampleId: string) => sampleEdits(db, job, sampleId),
    pendingRows: (status: OutboxStatus, limit?: number): Promise<outbox.PanelRow[]> =>
      outbox.pendingRows(db, status, limit),
    watchSyncStatus: (listener: (status: SyncStatus) => void, connectionId?: string) =>
      watchSyncStatus(db, ctx.connectivity, listener, connectionId),

    // ---- cache size ----------------------------------------------------------------------
    evict: (capBytes: number): Promise<EvictResult> => evict(db, capBytes),
    storageUsage: () => storageUsage(db)
  }
}

export type Offline = ReturnType<typeof createOffline>
