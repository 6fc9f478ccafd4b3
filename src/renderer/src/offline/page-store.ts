import type { SamplePage, TagFilter } from '../../../shared/domain'
import type { JobKey, ListingRow, PageRow, TagdeckDb } from './db'
import { filterKey, outboxOfJob, touchJob } from './db'
import { hasSettled, jobInFlight } from './batches'
import { listingKey, placeHiddenOnPage, rebaseJob, writeScope } from './listing'
import { matchesFilter } from './overlay'

/** Writing service pages into the cache without tearing the offsets a sync is moving. */

/** A filter of a job read at one page size. */
export interface ListingRequest extends JobKey {
  filter: TagFilter
  /** 1..100. */
  perPage: number
}

/**
 * Stored, with the listing's hidden samples as they now are (sample id to offset, -1 where it is
 * not placed), or deferred: a sync may have moved the offsets under the page.
 */
export type StoreOutcome =
  { stored: true; hidden: Readonly<Record<string, number>> } | { stored: false }

const DEFERRED: StoreOutcome = { stored: false }

/**
 * Stores a service page unless the job's offsets may have moved while it was in flight: a
 * batch of deletions was being sent (or finished) meanwhile. `generation` is the job's, read
 * before the request went out.
 */
export async function storePage(
  db: TagdeckDb,
  req: ListingRequest,
  result: SamplePage,
  generation: number,
  now: number
): Promise<StoreOutcome> {
  return db.transaction('rw', writeScope(db), async () => {
    const job = await db.jobs.get([req.connectionId, req.jobId])
    if ((job?.generation ?? 0) !== generation) return DEFERRED
    if (await jobInFlight(db, req)) return DEFERRED
    // Deletions confirmed before this request went out: the answer already lacks them.
    if (await hasSettled(db, req)) await rebaseJob(db, req, now)
    // Most pages are stored with nothing queued for their job: one count skips the lookups.
    const queued = await outboxOfJob(db, req).count()

    const key = listingKey({ ...req, filterKey: filterKey(req.filter) })
    const before = await db.listings.get(key)
    const listing: ListingRow = before
      ? { ...before, hidden: { ...before.hidden } }
      : {
          connectionId: req.connectionId,
          jobId: req.jobId,
          filterKey: key[2],
          filter: req.filter,
          perPage: req.perPage,
          total: result.total,
          fetchedAt: now,
          staleAt: null,
          hidden: await unplacedQueued(db, req)
        }
    // Someone else changed the job: the other cached pages may be off by that much.
    if (before && before.total !== result.total) listing.staleAt = now
    listing.total = result.total
    listing.fetchedAt = now

    const pageKey = [req.connectionId, req.jobId, key[2], req.perPage, result.page] as const
    // A listing new to the cache has no pages a reader could be showing.
    const old = before ? await db.pages.get([...pageKey]) : undefined
    const sampleIds = result.samples.map((s) => s.id)
    // Only what a reader may be showing counts as a change; a page new to the cache is not.
    let changed = before !== undefined && before.total !== result.total
    if (sampleIds.length > 0 || result.page === 1) {
      const page: PageRow = {
        connectionId: req.connectionId,
        jobId: req.jobId,
        filterKey: key[2],
        perPage: req.perPage,
        page: result.page,
        sampleIds,
        samples: result.samples,
        fetchedAt: now,
        lastUsedAt: now,
        bytes: JSON.stringify(result.samples).length + 64
      }
      await db.pages.put(page)
      await placeHiddenOnPage(db, listing, page, queued > 0)
      changed ||=
        old !== undefined && JSON.stringify(old.samples) !== JSON.stringify(result.samples)
    }
    await db.listings.put(listing)
    if (changed) await touchJob(db, req, {})
    return { stored: true, hidden: listing.hidden }
  })
}

/** A new listing starts with every queued sample of the job that falls in its filter. */
async function unplacedQueued(db: TagdeckDb, req: ListingRequest) {
  const hidden: Record<string, number> = {}
  for (const group of await outboxOfJob(db, req).toArray()) {
    for (const s of group.samples) if (matchesFilter(s.tags, req.filter)) hidden[s.sampleId] = -1
  }
  return hidden
}
