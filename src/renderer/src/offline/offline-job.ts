import { liveQuery } from 'dexie'
import type { ImageVariant, TagFilter } from '../../../shared/domain'
import type { JobKey, OfflineJobRow, TagdeckDb } from './db'
import { filterKey } from './db'
import type { OfflineContext } from './context'
import { describe, isUnreachable } from './errors'
import { cachedSamples } from './listing'
import { jobPageRange } from './page-rows'
import { ChunkWindow, ImageChunks, type ChunkResult, type FetchedChunk } from './offline-images'
import { visibleCount, visibleIds, walkPages, type StoredPage } from './offline-walk'

/**
 * "Make available offline": walks every page of a job (or of one filter) at 100 a page into
 * the cache and has main fetch each page's thumbnails into its disk cache as soon as the page
 * is stored (while the next page is read, and while main still holds the page's thumbnail
 * URLs), then, if asked, every full image. Progress is persisted after every page and chunk,
 * so a cancelled or interrupted download resumes where it stopped, also after a restart. The
 * job is pinned: eviction leaves its pages alone until it is removed from offline.
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

interface Session {
  abort: AbortController
  /** Image chunks in flight, with their live progress from `images.progress`. */
  chunks: ImageChunks
  startedAt: number
  bytesAtStart: number
  itemsAtStart: number
  done: Promise<void>
}

const ALL: TagFilter = { kind: 'everything' }
const NOTHING: ChunkResult = { done: 0, failed: 0, bytes: 0, cancelled: false }
const CHUNK = 100
/**
 * Pages per request for their thumbnails: 200 thumbnails, ~0.2 s from a fast service, so the
 * request and its bookkeeping (a call each way, the row updated) are paid half as often as
 * with one page, while a resume still repeats at most two pages.
 */
const PAGE_CHUNK = 2
/** How often the sizes of offline jobs in the database are read again while they change. */
const SIZE_EVERY_MS = 2_000
const jobId = (j: JobKey) => `${j.connectionId}/${j.jobId}`

export class OfflineDownloads {
  private readonly sessions = new Map<string, Session>()
  private readonly listeners = new Set<() => void>()
  private off: (() => void) | null = null

  constructor(private readonly ctx: OfflineContext) {}

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
    return Promise.all([...this.sessions.values()].map((s) => (s.abort.abort(), s.done)))
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
        ? { ...before, pin: 'pinned', state: 'running', updatedAt: now, lastError: null }
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
            lastError: null
          }
      await this.ctx.db.offlineJobs.put(next)
      return next
    })
    return this.run(row)
  }

  /** Resumes a cancelled or failed download where it stopped. */
  async resume(job: JobKey): Promise<void> {
    const row = await this.ctx.db.offlineJobs.get([job.connectionId, job.jobId])
    if (!row || row.state === 'done') return
    return this.start(job, { filter: row.filter, includeFull: row.includeFull })
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

  /** Not offline any more: unpinned (its pages become evictable) and forgotten. */
  async remove(job: JobKey): Promise<void> {
    await this.cancel(job)
    await this.ctx.db.offlineJobs.delete([job.connectionId, job.jobId])
    this.emit()
  }

  /** How big the full images would be; walks the job's pages first if they are not cached. */
  async estimate(job: JobKey, filter: TagFilter = ALL): Promise<DownloadEstimate> {
    const abort = new AbortController()
    await walkPages(this.ctx, job, filter, 1, abort.signal, () => Promise.resolve(true))
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
      } catch {
        // The database closed with the window: nothing left to show.
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
      error: () => undefined
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

  private async patch(job: JobKey, change: Partial<OfflineJobRow>): Promise<OfflineJobRow | null> {
    const db = this.ctx.db
    return db.transaction('rw', db.offlineJobs, async () => {
      const row = await db.offlineJobs.get([job.connectionId, job.jobId])
      if (!row) return null
      const next = { ...row, ...change, updatedAt: this.ctx.clock.now() }
      await db.offlineJobs.put(next)
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
    session.done = this.download(row, session)
      .catch(async (error: unknown) => {
        if (abort.signal.aborted) return
        // Unreachable: stays `running` and resumes when main says the service is back.
        const state = isUnreachable(error) ? 'running' : 'error'
        // The database itself may be what failed (closed with the window): nothing to note.
        await this.patch(row, { state, lastError: describe(error).message }).catch(() => undefined)
      })
      .finally(() => {
        session.chunks.close()
        this.sessions.delete(jobId(row))
        this.emit()
      })
    this.sessions.set(jobId(row), session)
    return session.done
  }

  private async download(start: OfflineJobRow, session: Session): Promise<void> {
    const { signal } = session.abort
    let row: OfflineJobRow | null = start
    if (row.phase === 'pages') {
      row = await this.pagesAndThumbnails(row, session)
      if (!row || signal.aborted) return
      row = await this.afterImages(row, 'thumb')
    }
    // Image-only phases: full images, or thumbnails of a download begun by an older version.
    while (row && !signal.aborted && (row.phase === 'thumb' || row.phase === 'full')) {
      const variant: ImageVariant = row.phase
      row = await this.images(row, variant, session)
      if (!row || signal.aborted) return
      row = await this.afterImages(row, variant)
    }
  }

  /**
   * Every image of `variant` is in: full images next if asked for, else done. The count comes
   * from the listing, not from reading every cached page (1,000 of them for a 100,000-image job).
   */
  private async afterImages(row: OfflineJobRow, variant: ImageVariant) {
    const images = await visibleCount(this.ctx.db, row, row.filter)
    return variant === 'thumb' && row.includeFull
      ? this.patch(row, { phase: 'full', imagesDone: 0, imagesTotal: images })
      : this.patch(row, { phase: 'done', state: 'done', imagesDone: images, imagesTotal: images })
  }

  /**
   * A chunk's answer, counted into the row with `change`; null when the download stops there
   * (cancelled, or the row is gone).
   */
  private async countChunk(
    row: OfflineJobRow | null,
    result: FetchedChunk,
    session: Session,
    change: (row: OfflineJobRow) => Partial<OfflineJobRow>
  ): Promise<OfflineJobRow | null> {
    session.chunks.settled(result.taskId)
    if (result.cancelled || session.abort.signal.aborted || !row) return null
    return this.patch(row, {
      ...change(row),
      imagesFailed: row.imagesFailed + result.failed,
      bytes: row.bytes + result.bytes
    })
  }

  /**
   * Pages from where the row stopped, their thumbnails fetched as soon as `PAGE_CHUNK` of them
   * are stored (or the last one). A page counts as done once its thumbnails are: that is the
   * place a resume starts from.
   */
  private async pagesAndThumbnails(
    start: OfflineJobRow,
    session: Session
  ): Promise<OfflineJobRow | null> {
    const { signal } = session.abort
    const window = new ChunkWindow<FetchedChunk>()
    let row: OfflineJobRow | null = start
    const push = (chunk: StoredPage) =>
      window.push(
        () =>
          chunk.ids.length > 0
            ? session.chunks.fetch(start, chunk.ids, 'thumb')
            : Promise.resolve({ ...NOTHING, taskId: '' }),
        async (result) => {
          row = await this.countChunk(row, result, session, (r) => ({
            pagesDone: chunk.page,
            pagesTotal: chunk.pageCount,
            imagesDone: r.imagesDone + chunk.ids.length,
            imagesTotal: Math.max(r.imagesDone + chunk.ids.length, chunk.visibleTotal)
          }))
          return row !== null
        }
      )
    // Stored pages whose thumbnails are not asked for yet, as one chunk (ids, then the last
    // page's place and totals).
    let gathered: StoredPage | null = null
    let pages = 0
    const walked = await walkPages(
      this.ctx,
      start,
      start.filter,
      start.pagesDone + 1,
      signal,
      async (stored) => {
        // Totals as soon as they are known (the first page), so the bar and ETA can show.
        if (row && row.pagesTotal !== stored.pageCount) {
          row = await this.patch(row, {
            pagesTotal: stored.pageCount,
            imagesTotal: Math.max(row.imagesDone, stored.visibleTotal)
          })
        }
        gathered = { ...stored, ids: [...(gathered?.ids ?? []), ...stored.ids] }
        if (++pages < PAGE_CHUNK && stored.page < stored.pageCount) return true
        const chunk: StoredPage = gathered
        gathered = null
        pages = 0
        return push(chunk)
      }
    )
    if (!walked) return null
    // The walk can end before the page count says (an empty page): the rest goes now.
    const rest: StoredPage | null = gathered
    if (rest && !(await push(rest))) return null
    if (!(await window.drain())) return null
    return row
  }

  /** One image variant of every sample, in chunks from where the row stopped. */
  private async images(
    start: OfflineJobRow,
    variant: ImageVariant,
    session: Session
  ): Promise<OfflineJobRow | null> {
    const { signal } = session.abort
    const ids = await visibleIds(this.ctx.db, start, start.filter)
    const window = new ChunkWindow<FetchedChunk>()
    let row: OfflineJobRow | null = start
    for (let i = start.imagesDone; i < ids.length && !signal.aborted; i += CHUNK) {
      const chunk = ids.slice(i, i + CHUNK)
      const go = await window.push(
        () => session.chunks.fetch(start, chunk, variant),
        async (result) => {
          row = await this.countChunk(row, result, session, () => ({
            imagesDone: i + chunk.length,
            imagesTotal: ids.length
          }))
          return row !== null
        }
      )
      if (!go) return null
    }
    if (signal.aborted || !(await window.drain())) return null
    return row
  }
}

/** Bytes of a job's cached pages (samples included) in the database. */
export async function jobDbBytes(db: TagdeckDb, job: JobKey): Promise<number> {
  let bytes = 0
  await jobPageRange(db, job).each((p) => (bytes += p.bytes))
  return bytes
}
