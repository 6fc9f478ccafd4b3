import type { TagFilter } from '../../../../shared/domain'
import type { ChannelOutput } from '../../../../shared/ipc'
import type { JobKey, TagdeckDb } from '../store/db'
import { filterKey } from '../store/db'
import type { OfflineContext } from '../context'
import { listingKey } from '../hiding/listing'
import { listingPages } from '../store/page-rows'
import { storePage } from '../reads/page-store'

/** Reading a whole filter of a job into the cache, for "Make available offline". */

export const OFFLINE_PER_PAGE = 100

/** What `walkPages` hands over for each stored page. */
export interface StoredPage {
  page: number
  pageCount: number
  /** The page's samples that are not queued for deletion. */
  ids: string[]
  /** The filter's samples that are not queued for deletion, as the service counts them now. */
  visibleTotal: number
}

const keyOf = (job: JobKey, filter: TagFilter) =>
  listingKey({ ...job, filterKey: filterKey(filter), perPage: OFFLINE_PER_PAGE })

/**
 * Pages `from`.. of the filter at 100 a page, stored as the grid would store them; `onPage`
 * answers whether to go on. True when the last page was reached. The next page is asked for
 * while this one is stored and handed over (one page ahead: the service's answer and
 * IndexedDB's write overlap). The job's generation is read once, before the first request, and
 * again after a deferral: a page is stored only if no sync moved the offsets since then, which
 * holds for every request sent after that read.
 */
export async function walkPages(
  ctx: OfflineContext,
  job: JobKey,
  filter: TagFilter,
  from: number,
  signal: AbortSignal,
  onPage: (stored: StoredPage) => Promise<boolean>
): Promise<boolean> {
  const req = {
    connectionId: job.connectionId,
    jobId: job.jobId,
    filter,
    perPage: OFFLINE_PER_PAGE
  }
  const readGeneration = async () =>
    (await ctx.db.jobs.get([job.connectionId, job.jobId]))?.generation ?? 0
  // Every request below goes out after this read, and after the one that follows a deferral.
  let known = await readGeneration()
  const fetchPage = (page: number) => ctx.transport('samples.page', { ...req, page })
  let ahead: Promise<ChannelOutput<'samples.page'>> | null = null
  for (let page = from; !signal.aborted;) {
    const result: ChannelOutput<'samples.page'> = await (ahead ?? fetchPage(page))
    const pageCount = Math.ceil(result.total / OFFLINE_PER_PAGE)
    const last = page >= pageCount || result.samples.length === 0
    ahead = last ? null : fetchPage(page + 1)
    // eslint-disable-next-line no-restricted-syntax -- awaited next turn (which handles it), or moot if the walk stops
    ahead?.catch(() => undefined)
    const outcome = await storePage(ctx.db, req, result, known, ctx.clock.now())
    if (!outcome.stored) {
      // A sync is moving this job's offsets: wait for it rather than store a torn page.
      ahead = null
      await ctx.clock.sleep(250, signal)
      known = await readGeneration()
      continue
    }
    const { hidden } = outcome
    const go = await onPage({
      page,
      pageCount,
      ids: result.samples.map((s) => s.id).filter((id) => !(id in hidden)),
      visibleTotal: Math.max(0, result.total - Object.keys(hidden).length)
    })
    if (!go) return false
    if (last) return true
    page += 1
  }
  return false
}

/**
 * How many samples of the filter are visible: the service's total less those queued for
 * deletion, as the walk counts them (one read, where `visibleIds` reads every cached page).
 */
export async function visibleCount(db: TagdeckDb, job: JobKey, filter: TagFilter): Promise<number> {
  const listing = await db.listings.get(keyOf(job, filter))
  return listing ? Math.max(0, listing.total - Object.keys(listing.hidden).length) : 0
}

/** Every visible sample id of the filter, in page order, from the cache. */
export async function visibleIds(db: TagdeckDb, job: JobKey, filter: TagFilter): Promise<string[]> {
  const listing = await db.listings.get(keyOf(job, filter))
  if (!listing) return []
  const ids: string[] = []
  for (const page of await listingPages(db, listing)) {
    for (const id of page.sampleIds) if (!(id in listing.hidden)) ids.push(id)
  }
  return ids
}
