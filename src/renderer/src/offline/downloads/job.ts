import { liveQuery } from 'dexie'
import type { TagFilter } from '../../../../shared/domain'
import type { JobKey, OfflineJobRow, SignaturePackRow, TagdeckDb } from '../store/db'
import { filterKey } from '../store/db'
import type { OfflineContext } from '../context'
import { backoffDelay, type BackoffPolicy } from '../../../../shared/backoff'
import { describe, isUnreachable } from '../errors'
import { cachedSamples } from '../hiding/listing'
import { jobPageRange } from '../store/page-rows'
import { findMissing } from './check'
import { DownloadRun, type PatchRow, type Session } from './download'
import { ImageChunks } from './images'
import { diskProblem, stoppedState } from './problems'
import { visibleIds, walkPages } from './walk'
import { loggedOr, logFailure } from '../log'
import { jobSignatures, type SignatureQueue } from '../signatures/queue'

/**
 * "Make available offline": walks every page of a job (or of one filter) at 100 a page into
 * the cache and has main fetch each page's thumbnails into its disk cache as soon as the page
 * is stored (while the next page is read, and while main still holds the page's thumbnail
 * URLs), then, if asked, every full image. Progress is persisted after every page and chunk,
 * each chunk once main has its images fsynced, so the row never counts an image a crash can
 * take back. The row's `state` is what the user asked for, not how the last run ended: a
 * download cut short (a crash, main restarted, the service unreachable) stays `running` and
 * resumes by itself on the next start (or when the service is back); only the user's Cancel
 * pauses it, and only what the user must fix (a full disk, credentials) makes it `error`.
 * The job is pinned: eviction leaves its pages alone until it is removed from offline. At
 * startup, `checkFinished` asks main whether every image of a finished download is still in
 * its cache, and says on the row how many are missing (a download again fetches only those).
 */

export interface DownloadOptions {
  filter?: TagFilter
  includeFull?: boolean
}

export interface OfflineProgress extends OfflineJobRow {
  /** This session's download speed, bytes per second (null before the first chunk). */
  bytesPerSecond: number | null
  /** Estimated time left for the current phase, ms (null when unknown). */
  etaMs: number | null
  /** Bytes of the job's cached pages and samples in the database. */
  dbBytes: number
  active: boolean
}

export interface DownloadEstimate {
  images: number
  /** Sum of the sizes the service reported, plus the average for those it did not. */
  fullBytes: number
  /** How many images had no size from the service. */
  unknownSizes: number
}

const ALL: TagFilter = { kind: 'everything' }
/** How often the sizes of offline jobs in the database are read again while they change. */
const SIZE_EVERY_MS = 2_000
const jobId = (j: JobKey) => `${j.connectionId}/${j.jobId}`
/**
 * Tries after an interruption that is not the service being unreachable (main restarted under
 * the page): 2 s, 4 s ... up to a minute apart, eight times; after that, the next start.
 */
const RETRY: BackoffPolicy = { baseMs: 2_000, maxMs: 60_000 }
const RETRIES = 8

export class OfflineDownloads {
  private readonly sessions = new Map<string, Session>()
  private readonly listeners = new Set<() => void>()
  private off: (() => void) | null = null
  /** Tries so far after interruptions, per job; cleared when a session ends without one. */
  private readonly retries = new Map<string, number>()
  private stopping = new AbortController()

  constructor(
    private readonly ctx: OfflineContext,
    /**
     * Near-duplicate signatures: when present, main answers each chunk of thumbnails with
     * theirs (stored with the chunk); the queue makes those a job still lacks, after downloads.
     */
    private readonly signatures: SignatureQueue | null = null
  ) {}

  /** Resumes downloads that were running when the app last stopped; resumes again when online. */
  async resumeInterrupted(): Promise<void> {
    this.off ??= this.ctx.connectivity.subscribe((c) => {
      if (c.state === 'online') void this.resumeRunning(c.connectionId)
    })
    await this.resumeRunning()
  }

  stopAll(): Promise<void[]> {
    this.off?.()
    this.off = null
    this.stopping.abort()
    this.stopping = new AbortController()
    return Promise.all([...this.sessions.values()].map((s) => (s.abort.abort(), s.done)))
  }

  /**
   * Every finished download whose images main's cache no longer all holds (cleaned, evicted,
   * lost) becomes `error` with the count missing; resuming it fetches only those.
   */
  async checkFinished(): Promise<void> {
    const rows = await this.ctx.db.offlineJobs.where('state').equals('done').toArray()
    for (const row of rows) {
      if (row.pin !== 'pinned' || this.sessions.has(jobId(row))) continue
      const found = await findMissing(this.ctx, row)
      if (!found) continue
      const { missing, total, phase } = found
      await this.patch(
        row,
        {
          state: 'error',
          phase,
          imagesDone: 0,
          imagesTotal: total,
          lastError: null,
          problem: { kind: 'missing', missing, total }
        },
        // The user may have removed it or started it again meanwhile.
        (now) => now.state === 'done'
      )
    }
  }

  private async resumeRunning(connectionId?: string) {
    const rows = await this.ctx.db.offlineJobs.where('state').equals('running').toArray()
    for (const row of rows) {
      if (connectionId !== undefined && row.connectionId !== connectionId) continue
      if (!this.sessions.has(jobId(row)) && this.ctx.connectivity.mayTry(row.connectionId)) {
        void this.run(row)
      }
    }
  }

  /** Pins the job and downloads it; resolves when finished, cancelled or stopped by an error. */
  async start(job: JobKey, options: DownloadOptions = {}): Promise<void> {
    const running = this.sessions.get(jobId(job))
    if (running) return running.done
    const now = this.ctx.clock.now()
    const filter = options.filter ?? ALL
    const row = await this.ctx.db.transaction('rw', this.ctx.db.offlineJobs, async () => {
      const before = await this.ctx.db.offlineJobs.get([job.connectionId, job.jobId])
      const same =
        before &&
        before.state !== 'done' &&
        filterKey(before.filter) === filterKey(filter) &&
        before.includeFull === (options.includeFull ?? false)
      const next: OfflineJobRow = same
        ? {
            ...before,
            pin: 'pinned',
            state: 'running',
            updatedAt: now,
            lastError: null,
            problem: null
          }
        : {
            connectionId: job.connectionId,
            jobId: job.jobId,
            pin: 'pinned',
            filter,
            includeFull: options.includeFull ?? false,
            phase: 'pages',
            state: 'running',
            pagesDone: 0,
            pagesTotal: 0,
            imagesDone: 0,
            imagesFailed: 0,
            imagesTotal: 0,
            bytes: 0,
            startedAt: now,
            updatedAt: now,
            lastError: null,
            problem: null
          }
      await this.ctx.db.offlineJobs.put(next)
      return next
    })
    return this.run(row)
  }

  /** Resumes a cancelled, failed or interrupted download where it stopped. */
  async resume(job: JobKey): Promise<void> {
    const row = await this.ctx.db.offlineJobs.get([job.connectionId, job.jobId])
    if (!row || row.state === 'done') return
    return this.start(job, { filter: row.filter, includeFull: row.includeFull })
  }

  /**
   * A finished download whose job gained samples since (a replica refresh found them): fetches
   * the images main's cache lacks, and nothing else. Resolves when done; no-op when nothing is.
   */
  async fetchMissing(job: JobKey): Promise<void> {
    if (this.sessions.has(jobId(job))) return
    const row = await this.ctx.db.offlineJobs.get([job.connectionId, job.jobId])
    if (!row || row.pin !== 'pinned' || row.state !== 'done') return
    const found = await findMissing(this.ctx, row)
    if (!found) return
    const next = await this.patch(
      row,
      { state: 'running', phase: found.phase, imagesDone: 0, imagesTotal: found.total },
      (now) => now.state === 'done'
    )
    if (next) return this.run(next)
  }

  /** Whether any download runs in this window. */
  anyRunning(): boolean {
    return this.sessions.size > 0
  }

  /** Whether a download of the job runs in this window. */
  running(job: JobKey): boolean {
    return this.sessions.has(jobId(job))
  }

  /** Stops the download; it keeps its place and its pin (resume later). */
  async cancel(job: JobKey): Promise<void> {
    const session = this.sessions.get(jobId(job))
    await this.patch(job, { state: 'paused' })
    if (!session) return
    session.abort.abort()
    await session.chunks.cancel()
    await session.done
  }

  /** Not offline any more: unpinned (its pages become evictable) and forgotten, signatures too. */
  async remove(job: JobKey): Promise<void> {
    await this.cancel(job)
    await this.ctx.db.offlineJobs.delete([job.connectionId, job.jobId])
    await (this.signatures?.forget(job) ?? jobSignatures(this.ctx.db, job).delete())
    this.emit()
  }

  /** How big the full images would be; walks the job's pages first if they are not cached. */
  async estimate(job: JobKey, filter: TagFilter = ALL): Promise<DownloadEstimate> {
    const abort = new AbortController()
    await walkPages(this.ctx, job, filter, 1, abort.signal, () => Promise.resolve(true))
    return this.cachedEstimate(job, filter)
  }

  /** The same from the pages cached so far, without asking the service. */
  private async cachedEstimate(job: JobKey, filter: TagFilter): Promise<DownloadEstimate> {
    const ids = await visibleIds(this.ctx.db, job, filter)
    const samples = await cachedSamples(this.ctx.db, job, ids)
    const known = ids
      .map((id) => samples.get(id)?.sample.bytes ?? null)
      .filter((b): b is number => b !== null)
    const sum = known.reduce((a, b) => a + b, 0)
    const average = known.length > 0 ? sum / known.length : 0
    const unknownSizes = ids.length - known.length
    return { images: ids.length, fullBytes: Math.round(sum + average * unknownSizes), unknownSizes }
  }

  /**
   * Live progress of every offline job (for the job list and the progress bar). The rows are
   * live; their sizes in the database are read from every cached page of the job, so they are
   * read again at most every `SIZE_EVERY_MS` while the rows change (a download changes its row
   * every chunk, and reading all its pages each time made the download quadratic), and once
   * more after the last change.
   */
  watch(listener: (jobs: OfflineProgress[]) => void): () => void {
    let rows: OfflineJobRow[] = []
    let dbBytes = new Map<string, number>()
    const emit = () => listener(rows.map((r) => this.progressOf(r, dbBytes.get(jobId(r)) ?? 0)))
    const stop = new AbortController()
    let sizing = false
    let dirty = false
    const size = async () => {
      dirty = true
      if (sizing) return
      sizing = true
      try {
        while (dirty && !stop.signal.aborted) {
          dirty = false
          const sizes = new Map<string, number>()
          for (const r of rows) sizes.set(jobId(r), await jobDbBytes(this.ctx.db, r))
          dbBytes = sizes
          emit()
          await this.ctx.clock.sleep(SIZE_EVERY_MS, stop.signal)
        }
      } catch (error) {
        // The database closed with the window, most likely: nothing left to show.
        logFailure('the size of the offline jobs could not be read')(error)
      } finally {
        sizing = false
      }
    }
    const subscription = liveQuery(() => this.ctx.db.offlineJobs.toArray()).subscribe({
      next: (all) => {
        rows = all
        emit()
        void size()
      },
      error: logFailure('the offline jobs can no longer be followed')
    })
    this.listeners.add(emit)
    return () => {
      stop.abort()
      subscription.unsubscribe()
      this.listeners.delete(emit)
    }
  }

  private emit() {
    for (const listener of [...this.listeners]) listener()
  }

  private progressOf(row: OfflineJobRow, dbBytes: number): OfflineProgress {
    const session = this.sessions.get(jobId(row))
    let bytesPerSecond: number | null = null
    let etaMs: number | null = null
    if (session) {
      const pending = session.chunks.pending()
      const elapsed = this.ctx.clock.now() - session.startedAt
      const bytes = row.bytes + pending.bytes - session.bytesAtStart
      const items = row.imagesDone + pending.done - session.itemsAtStart
      if (elapsed > 0 && bytes > 0) bytesPerSecond = (bytes * 1000) / elapsed
      const left = row.imagesTotal - row.imagesDone - pending.done
      if (row.imagesTotal > 0 && items > 0 && left >= 0) etaMs = (elapsed / items) * left
    }
    return { ...row, bytesPerSecond, etaMs, dbBytes, active: session !== undefined }
  }

  private async patch(
    job: JobKey,
    change: Partial<OfflineJobRow>,
    only: (row: OfflineJobRow) => boolean = () => true,
    signatures?: SignaturePackRow
  ): Promise<OfflineJobRow | null> {
    const db = this.ctx.db
    const tables = signatures ? [db.offlineJobs, db.signaturePacks] : [db.offlineJobs]
    return db.transaction('rw', tables, async () => {
      const row = await db.offlineJobs.get([job.connectionId, job.jobId])
      if (!row || !only(row)) return null
      const next = { ...row, ...change, updatedAt: this.ctx.clock.now() }
      await db.offlineJobs.put(next)
      if (signatures) await db.signaturePacks.put(signatures)
      return next
    })
  }

  private run(row: OfflineJobRow): Promise<void> {
    const abort = new AbortController()
    const session: Session = {
      abort,
      chunks: new ImageChunks(this.ctx, () => this.emit()),
      startedAt: this.ctx.clock.now(),
      bytesAtStart: row.bytes,
      itemsAtStart: row.imagesDone,
      done: Promise.resolve()
    }
    const patch: PatchRow = (job, change, signatures) =>
      this.patch(job, change, undefined, signatures)
    session.done = new DownloadRun(this.ctx, patch, this.signatures !== null)
      .download(row, session)
      .then(
        () => void this.retries.delete(jobId(row)),
        async (error: unknown) => {
          if (abort.signal.aborted) return
          // The database itself may be what failed (closed with the window): nothing to note.
          const state = await this.noteStop(row, error).catch(
            loggedOr(null, 'a stopped download could not be noted')
          )
          // Unreachable ones go on when main says the service is back (`resumeInterrupted`).
          if (state === 'running' && !isUnreachable(error)) this.retryLater(row)
        }
      )
      .finally(() => {
        session.chunks.close()
        this.sessions.delete(jobId(row))
        this.emit()
        // Signatures a job still lacked were left for after it.
        this.signatures?.wake()
      })
    this.sessions.set(jobId(row), session)
    return session.done
  }

  /**
   * Interrupted: stays `running` (resumed on the next start, or when main says the service is
   * back). Stopped for good: `error`, with the disk's problem when that is the reason.
   */
  private async noteStop(start: OfflineJobRow, error: unknown): Promise<'running' | 'error'> {
    const state = stoppedState(error)
    const lastError = describe(error).message
    if (state === 'running') logFailure('an offline download was interrupted')(error)
    const row = (await this.ctx.db.offlineJobs.get([start.connectionId, start.jobId])) ?? start
    const fullBytes = row.includeFull
      ? ((
          await this.cachedEstimate(row, row.filter).catch(
            loggedOr(null, 'the full images left could not be estimated')
          )
        )?.fullBytes ?? null)
      : null
    const problem = state === 'error' ? diskProblem(error, row, fullBytes) : null
    // A Cancel that came meanwhile stays a Cancel.
    await this.patch(row, { state, lastError, problem }, (now) => now.state === 'running')
    return state
  }

  /** Runs the download again after a while, if it is still `running` and nobody resumed it. */
  private retryLater(job: JobKey): void {
    const key = jobId(job)
    const attempt = (this.retries.get(key) ?? 0) + 1
    if (attempt > RETRIES) return
    this.retries.set(key, attempt)
    const { signal } = this.stopping
    void this.ctx.clock
      .sleep(backoffDelay(attempt, this.ctx.random, RETRY), signal)
      .then(async () => {
        if (signal.aborted || this.sessions.has(key)) return
        const row = await this.ctx.db.offlineJobs.get([job.connectionId, job.jobId])
        if (row?.state === 'running') void this.run(row)
      })
      .catch((error: unknown) => console.warn('Tagdeck: offline download not retried', error))
  }
}

/** Bytes of a job's cached pages (samples included) in the database. */
export async function jobDbBytes(db: TagdeckDb, job: JobKey): Promise<number> {
  let bytes = 0
  await jobPageRange(db, job).each((p) => (bytes += p.bytes))
  return bytes
}
