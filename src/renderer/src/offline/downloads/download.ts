import type { ImageVariant } from '../../../../shared/domain'
import type { JobKey, OfflineJobRow, SignaturePackRow } from '../store/db'
import { packFromMain } from '../signatures/packs'
import type { OfflineContext } from '../context'
import { findMissing, missingImages } from './check'
import { refreshJobData } from '../reads/job-data'
import { ChunkWindow, type ChunkResult, type FetchedChunk, type ImageChunks } from './images'
import { visibleCount, visibleIds, walkPages, type StoredPage } from './walk'

/**
 * One session of an offline download (`offline-job.ts`), from where its row stopped to the
 * end, or until it stops: the pages with their thumbnails, then the image-only phases. The
 * row is patched after every chunk main answered for, which is the place a resume starts from.
 */

export interface Session {
  abort: AbortController
  /** Image chunks in flight, with their live progress from `images.progress`. */
  chunks: ImageChunks
  startedAt: number
  bytesAtStart: number
  itemsAtStart: number
  done: Promise<void>
}

/** Merges `change` into the job's row (and stores `signatures` with it); null when it is gone. */
export type PatchRow = (
  job: JobKey,
  change: Partial<OfflineJobRow>,
  signatures?: SignaturePackRow
) => Promise<OfflineJobRow | null>

const NOTHING: ChunkResult = { done: 0, failed: 0, bytes: 0, cancelled: false }
const CHUNK = 100
/**
 * Pages per request for their thumbnails: 200 thumbnails, ~0.2 s from a fast service, so the
 * request and its bookkeeping (a call each way, the row updated) are paid half as often as
 * with one page, while a resume still repeats at most two pages.
 */
const PAGE_CHUNK = 2

export class DownloadRun {
  /** Images found missing at the end are fetched again this many times before it says so. */
  private repairs = 1

  constructor(
    private readonly ctx: OfflineContext,
    private readonly patch: PatchRow,
    /** Whether main answers each chunk of thumbnails with their near-duplicate signatures. */
    private readonly signatures = false
  ) {}

  async download(start: OfflineJobRow, session: Session): Promise<void> {
    const { signal } = session.abort
    let row: OfflineJobRow | null = start
    if (row.phase === 'pages') {
      // The whole job is held with its label list and stats (a filter's download needs them too).
      await refreshJobData(this.ctx, row)
      row = await this.pagesAndThumbnails(row, session)
      if (!row || signal.aborted) return
      row = await this.afterImages(row, 'thumb')
    }
    // Image-only phases: full images, or thumbnails of a download begun by an older version.
    while (
      row?.state === 'running' &&
      !signal.aborted &&
      (row.phase === 'thumb' || row.phase === 'full')
    ) {
      const variant: ImageVariant = row.phase
      row = await this.images(row, variant, session)
      if (!row || signal.aborted) return
      row = await this.afterImages(row, variant)
    }
  }

  /**
   * Every image of `variant` is in: full images next if asked for, else done, once main's cache
   * is asked whether it holds every image (an index lookup). Images evicted or lost since their
   * chunk was answered are fetched again once; missing again, the download is `error` with
   * the count missing, never "available". The count comes from the listing, not from reading
   * every cached page (1,000 of them for a 100,000-image job).
   */
  private async afterImages(row: OfflineJobRow, variant: ImageVariant) {
    const images = await visibleCount(this.ctx.db, row, row.filter)
    if (variant === 'thumb' && row.includeFull)
      return this.patch(row, { phase: 'full', imagesDone: 0, imagesTotal: images })
    const found = await findMissing(this.ctx, row)
    if (found) {
      const { phase, missing, total } = found
      const again = this.repairs-- > 0
      return this.patch(row, {
        phase,
        imagesDone: 0,
        imagesTotal: total,
        ...(again ? {} : { state: 'error', problem: { kind: 'missing', missing, total } })
      })
    }
    return this.patch(row, {
      phase: 'done',
      state: 'done',
      imagesDone: images,
      imagesTotal: images,
      lastError: null,
      problem: null
    })
  }

  /**
   * A chunk's answer, counted into the row with `change`, its thumbnails' signatures stored in
   * the same transaction; null when the download stops there (cancelled, or the row is gone).
   */
  private async countChunk(
    row: OfflineJobRow | null,
    result: FetchedChunk,
    session: Session,
    change: (row: OfflineJobRow) => Partial<OfflineJobRow>
  ): Promise<OfflineJobRow | null> {
    session.chunks.settled(result.taskId)
    if (result.cancelled || session.abort.signal.aborted || !row) return null
    const job = { connectionId: row.connectionId, jobId: row.jobId }
    // One row for the chunk's signatures: IndexedDB's cost is per row.
    const signatures = result.signatures?.sampleIds.length
      ? (packFromMain(job, result.signatures) ?? undefined)
      : undefined
    return this.patch(
      row,
      {
        ...change(row),
        imagesFailed: row.imagesFailed + result.failed,
        bytes: row.bytes + result.bytes
      },
      signatures
    )
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
            ? session.chunks.fetch(start, chunk.ids, 'thumb', this.signatures)
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
    return this.lateSignatures(row, session)
  }

  /**
   * Every thumbnail is in: the signatures main answered the chunks without (it was still working
   * them out; no chunk waits for them) are stored as the chunks' were, once main has them all.
   */
  private async lateSignatures(
    start: OfflineJobRow | null,
    session: Session
  ): Promise<OfflineJobRow | null> {
    let row = start
    if (!this.signatures) return row
    for (let more = true; more && row && !session.abort.signal.aborted;) {
      const answer = await session.chunks.collectSignatures(row)
      more = answer.more
      const job = { connectionId: row.connectionId, jobId: row.jobId }
      const pack = answer.signatures.sampleIds.length ? packFromMain(job, answer.signatures) : null
      if (pack) row = await this.patch(row, {}, pack)
    }
    return session.abort.signal.aborted ? null : row
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
      // Only what main's cache lacks: a download again after images went missing, or a resume.
      const fetchMissing = async () => {
        const missing = await missingImages(this.ctx, start, variant, chunk)
        if (missing.length === 0) return { ...NOTHING, taskId: '' }
        return session.chunks.fetch(start, missing, variant, this.signatures && variant === 'thumb')
      }
      const go = await window.push(fetchMissing, async (result) => {
        row = await this.countChunk(row, result, session, () => ({
          imagesDone: i + chunk.length,
          imagesTotal: ids.length
        }))
        return row !== null
      })
      if (!go) return null
    }
    if (signal.aborted || !(await window.drain())) return null
    return variant === 'thumb' ? this.lateSignatures(row, session) : row
  }
}
