import type { SamplePage, TagFilter } from '../../../../shared/domain'
import type { JobKey, ListingRow, PageKey, PageRow, TagdeckDb } from '../store/db'
import { filterKey, outboxOfJob, touchJob } from '../store/db'
import { hasSettled, jobInFlight } from '../store/batches'
import { listingKey, placeHiddenOnPage, rebaseJob, writeScope } from '../hiding/listing'
import { matchesFilter } from '../hiding/overlay'
import { putPages } from '../store/page-rows'

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
    const key = listingKey({ ...req, filterKey: filterKey(req.filter) })
    const pageKey: PageKey = [req.connectionId, req.jobId, key[2], req.perPage, result.page]
    // Asked all at once: each is a round trip to the database, and most pages need none of
    // what they guard against (a sync under way or finished, deletions queued).
    const [job, inFlight, settled, queued, listed, cachedPage] = await Promise.all([
      db.jobs.get([req.connectionId, req.jobId]),
      jobInFlight(db, req),
      hasSettled(db, req),
      // Most pages are stored with nothing queued for their job: one count skips the lookups.
      outboxOfJob(db, req).count(),
      db.listings.get(key),
      db.pages.get(pageKey)
    ])
    if ((job?.generation ?? 0) !== generation || inFlight) return DEFERRED
    // Deletions confirmed before this request went out: the answer already lacks them. The
    // rebase rewrites the job's listings and pages: they are read again after it.
    if (settled) await rebaseJob(db, req, now)
    const before = settled ? await db.listings.get(key) : listed
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
          hidden: queued > 0 ? await unplacedQueued(db, req) : {}
        }
    // Someone else changed the job: the other cached pages may be off by that much.
    if (before && before.total !== result.total) listing.staleAt = now
    listing.total = result.total
    listing.fetchedAt = now
    listing.writes = (listing.writes ?? 0) + 1

    // A listing new to the cache has no pages a reader could be showing.
    const old = !before ? undefined : settled ? await db.pages.get(pageKey) : cachedPage
    const sampleIds = result.samples.map((s) => s.id)
    // Only what a reader may be showing counts as a change; a page new to the cache is not.
    let changed = before !== undefined && before.total !== result.total
    // Written without waiting for each other: the transaction holds them in order.
    const writes: Promise<unknown>[] = []
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
      await placeHiddenOnPage(db, listing, page, queued > 0)
      writes.push(putPages(db, [page]))
      changed ||=
        old !== undefined && JSON.stringify(old.samples) !== JSON.stringify(result.samples)
    }
    writes.push(db.listings.put(listing))
    if (changed) writes.push(touchJob(db, req, {}))
    await Promise.all(writes)
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
