import { liveQuery } from 'dexie'
import type { ImageVariant, TagFilter } from '../../../shared/domain'
import type { JobKey, OfflineJobRow, TagdeckDb } from './db'
import { filterKey } from './db'
import type { OfflineContext } from './context'
import { describe, isUnreachable } from './errors'
import { cachedSamples, listingKey, listingPages } from './listing'
import { storePage } from './page-store'

/**
 * "Make available offline": walks every page of a job (or of one filter) at 100 a page into
 * the cache, then has main prefetch every thumbnail (and, if asked, every full image) into
 * its disk cache in chunks. Progress is persisted after every page and chunk, so a cancelled
 * or interrupted download resumes where it stopped, also after a restart. The job is pinned:
 * eviction leaves its pages alone until it is removed from offline.
 */

export const OFFLINE_PER_PAGE = 100

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
  taskId: string | null
  startedAt: number
  bytesAtStart: number
  itemsAtStart: number
  /** Bytes and items of the chunk in flight, from `images.progress`. */
  chunkBytes: number
  chunkDone: number
  done: Promise<void>
}

const ALL: TagFilter = { kind: 'everything' }
const CHUNK = 200
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
    if (session.taskId) {
      await this.ctx
        .transport('images.cancelPrefetch', { taskId: session.taskId })
        .catch(() => undefined)
    }
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
    await this.walkPages(job, filter, 1, abort.signal, () => Promise.resolve())
    const ids = await this.sampleIds(job, filter)
    const samples = await cachedSamples(this.ctx.db, job, ids)
    const known = ids
      .map((id) => samples.get(id)?.sample.bytes ?? null)
      .filter((b): b is number => b !== null)
    const sum = known.reduce((a, b) => a + b, 0)
    const average = known.length > 0 ? sum / known.length : 0
    const unknownSizes = ids.length - known.length
    return { images: ids.length, fullBytes: Math.round(sum + average * unknownSizes), unknownSizes }
  }

  /** Live progress of every offline job (for the job list and the progress bar). */
  watch(listener: (jobs: OfflineProgress[]) => void): () => void {
    let rows: OfflineJobRow[] = []
    let dbBytes = new Map<string, number>()
    const emit = () => listener(rows.map((r) => this.progressOf(r, dbBytes.get(jobId(r)) ?? 0)))
    const subscription = liveQuery(async () => {
      const all = await this.ctx.db.offlineJobs.toArray()
      const sizes = new Map<string, number>()
      for (const r of all) sizes.set(jobId(r), await jobDbBytes(this.ctx.db, r))
      return { all, sizes }
    }).subscribe({
      next: (value) => {
        rows = value.all
        dbBytes = value.sizes
        emit()
      },
      error: () => undefined
    })
    this.listeners.add(emit)
    return () => {
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
      const elapsed = this.ctx.clock.now() - session.startedAt
      const bytes = row.bytes + session.chunkBytes - session.bytesAtStart
      const items = row.imagesDone + session.chunkDone - session.itemsAtStart
      if (elapsed > 0 && bytes > 0) bytesPerSecond = (bytes * 1000) / elapsed
      const left = row.imagesTotal - row.imagesDone - session.chunkDone
      if (row.phase !== 'pages' && items > 0 && left >= 0) etaMs = (elapsed / items) * left
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
      taskId: null,
      startedAt: this.ctx.clock.now(),
      bytesAtStart: row.bytes,
      itemsAtStart: row.imagesDone,
      chunkBytes: 0,
      chunkDone: 0,
      done: Promise.resolve()
    }
    session.done = this.download(row, session)
      .catch(async (error: unknown) => {
        if (abort.signal.aborted) return
        // Unreachable: stays `running` and resumes when main says the service is back.
        const state = isUnreachable(error) ? 'running' : 'error'
        await this.patch(row, { state, lastError: describe(error).message })
      })
      .finally(() => {
        this.sessions.delete(jobId(row))
        this.emit()
      })
    this.sessions.set(jobId(row), session)
    return session.done
  }

  private async download(start: OfflineJobRow, session: Session): Promise<void> {
    const { signal } = session.abort
    let row: OfflineJobRow | null = start
    if (start.phase === 'pages') {
      await this.walkPages(
        start,
        start.filter,
        start.pagesDone + 1,
        signal,
        async (done, total) => {
          await this.patch(start, { pagesDone: done, pagesTotal: total })
        }
      )
      if (signal.aborted) return
      const images = (await this.sampleIds(start, start.filter)).length
      row = await this.patch(start, { phase: 'thumb', imagesDone: 0, imagesTotal: images })
    }
    const phases: ImageVariant[] = row?.includeFull ? ['thumb', 'full'] : ['thumb']
    while (row && !signal.aborted && (row.phase === 'thumb' || row.phase === 'full')) {
      const variant: ImageVariant = row.phase
      await this.prefetch(row, variant, session)
      if (signal.aborted) return
      const next = phases[phases.indexOf(variant) + 1]
      const images: number = (await this.sampleIds(row, row.filter)).length
      row = next
        ? await this.patch(row, { phase: next, imagesDone: 0, imagesTotal: images })
        : await this.patch(row, { phase: 'done', state: 'done', imagesTotal: images })
    }
  }

  /** Pages `from`.. of the filter at 100 a page, stored as the grid would store them. */
  private async walkPages(
    job: JobKey,
    filter: TagFilter,
    from: number,
    signal: AbortSignal,
    onPage: (done: number, total: number) => Promise<void>
  ): Promise<void> {
    const req = {
      connectionId: job.connectionId,
      jobId: job.jobId,
      filter,
      perPage: OFFLINE_PER_PAGE
    }
    for (let page = from; !signal.aborted;) {
      const generation =
        (await this.ctx.db.jobs.get([job.connectionId, job.jobId]))?.generation ?? 0
      const result = await this.ctx.transport('samples.page', { ...req, page })
      const outcome = await storePage(this.ctx.db, req, result, generation, this.ctx.clock.now())
      if (outcome === 'deferred') {
        // A sync is moving this job's offsets: wait for it rather than store a torn page.
        await this.ctx.clock.sleep(250, signal)
        continue
      }
      const total = Math.ceil(result.total / OFFLINE_PER_PAGE)
      await onPage(page, total)
      if (page >= total || result.samples.length === 0) return
      page += 1
    }
  }

  /** Every visible sample id of the filter, in page order, from the cache. */
  private async sampleIds(job: JobKey, filter: TagFilter): Promise<string[]> {
    const db = this.ctx.db
    const key = listingKey({ ...job, filterKey: filterKey(filter), perPage: OFFLINE_PER_PAGE })
    const listing = await db.listings.get(key)
    if (!listing) return []
    const ids: string[] = []
    for (const page of await listingPages(db, listing)) {
      for (const id of page.sampleIds) if (!(id in listing.hidden)) ids.push(id)
    }
    return ids
  }

  private async prefetch(row: OfflineJobRow, variant: ImageVariant, session: Session) {
    const { signal } = session.abort
    const ids = await this.sampleIds(row, row.filter)
    let current: OfflineJobRow | null = row
    const off = this.ctx.events.onPrefetchProgress((p) => {
      if (p.taskId !== session.taskId) return
      session.chunkBytes = p.bytes
      session.chunkDone = p.done + p.failed
      this.emit()
    })
    try {
      for (let i = current.imagesDone; current && i < ids.length && !signal.aborted; i += CHUNK) {
        const chunk = ids.slice(i, i + CHUNK)
        session.taskId = `offline-${this.ctx.clock.now().toString(36)}-${i}`
        session.chunkBytes = 0
        session.chunkDone = 0
        const result = await this.ctx.transport('images.prefetch', {
          connectionId: row.connectionId,
          jobId: row.jobId,
          taskId: session.taskId,
          sampleIds: chunk,
          variant
        })
        session.taskId = null
        session.chunkBytes = 0
        session.chunkDone = 0
        if (result.cancelled || signal.aborted) return
        current = await this.patch(current, {
          imagesDone: i + chunk.length,
          imagesTotal: ids.length,
          imagesFailed: current.imagesFailed + result.failed,
          bytes: current.bytes + result.bytes
        })
      }
    } finally {
      off()
    }
  }
}

/** Bytes of a job's cached pages (samples included) in the database. */
export async function jobDbBytes(db: TagdeckDb, job: JobKey): Promise<number> {
  let bytes = 0
  await db.pages
    .where('[connectionId+jobId]')
    .equals([job.connectionId, job.jobId])
    .each((p) => (bytes += p.bytes))
  return bytes
}
