import type { Sample, SamplePage } from '../../../../shared/domain'
import type { ListingRow, PageRow, TagdeckDb } from '../store/db'
import { filterKey, outboxId, queuedKeys } from '../store/db'
import type { OfflineContext } from '../context'
import { isUnreachable, notAvailableOffline } from '../errors'
import { listingKey } from '../hiding/listing'
import { storePage, type ListingRequest, type StoreOutcome } from './page-store'
import { placedOffsets, serviceOffset } from '../hiding/overlay'
import { logFailure } from '../log'

/**
 * Cache-first reads of a filter's pages. A page is assembled from the cached service pages
 * with queued deletions left out (so page N of what the user sees may straddle two service
 * pages), shown at once, and refreshed from the service in the background when it is
 * reachable. A refresh that changes anything bumps the job's version (`watchJob`).
 */

export interface PageRequest extends ListingRequest {
  /** From 1. */
  page: number
}

export interface PageView extends SamplePage {
  /** Samples the user can see (the service's total minus queued deletions). */
  total: number
  pageCount: number
  /** When the oldest service page behind this view was fetched. */
  fetchedAt: number
  ageMs: number
  /** A sync moved offsets since then, or the service's total changed: a refresh is due. */
  stale: boolean
  /** False only for a page read straight from the service because it could not be cached. */
  fromCache: boolean
}

interface Plan {
  view: PageView | null
  listing: ListingRow | null
  /** Page size of the service pages behind the view (the listing's). */
  perPage: number
  /** Service pages behind the view, in order, and when each was fetched (0: not cached). */
  needed: { page: number; fetchedAt: number }[]
}

const keyOf = (r: PageRequest) => listingKey({ ...r, filterKey: filterKey(r.filter) })

/**
 * The listing to read `req` from: its own page size if cached, else the same filter cached at
 * another page size (a job made available offline is cached at 100 a page; any grid size
 * reads from it). Null: nothing cached for this filter yet.
 */
async function chooseListing(db: TagdeckDb, req: PageRequest): Promise<ListingRow | null> {
  const exact = await db.listings.get(keyOf(req))
  if (exact) return exact
  const fk = filterKey(req.filter)
  const others = (
    await db.listings.where('[connectionId+jobId]').equals([req.connectionId, req.jobId]).toArray()
  ).filter((l) => l.filterKey === fk)
  return others.sort((a, b) => b.perPage - a.perPage)[0] ?? null
}

async function plan(db: TagdeckDb, req: PageRequest, now: number): Promise<Plan> {
  const listing = await chooseListing(db, req)
  if (!listing) {
    return { view: null, listing, perPage: req.perPage, needed: [{ page: req.page, fetchedAt: 0 }] }
  }
  // `pp`: the service pages' size; `size`: the size of the page the reader asked for.
  const pp = listing.perPage
  const size = req.perPage
  const hiddenIds = new Set(Object.keys(listing.hidden))
  const placed = placedOffsets(listing.hidden)
  const visibleTotal = Math.max(0, listing.total - hiddenIds.size)
  const visibleStart = (req.page - 1) * size
  const want = Math.max(0, Math.min(size, visibleTotal - visibleStart))
  const start = serviceOffset(visibleStart, placed)

  const needed: Plan['needed'] = []
  const used: PageRow[] = []
  const samples: Sample[] = []
  let missing = false
  let counted = 0
  for (let p = Math.floor(start / pp) + 1; counted < want && (p - 1) * pp < listing.total; p++) {
    const from = p === Math.floor(start / pp) + 1 ? start % pp : 0
    const row = await db.pages.get([req.connectionId, req.jobId, listing.filterKey, pp, p])
    needed.push({ page: p, fetchedAt: row?.fetchedAt ?? 0 })
    if (row) {
      used.push(row)
      for (let i = from; i < row.samples.length && counted < want; i++) {
        if (hiddenIds.has(row.samples[i].id)) continue
        samples.push(row.samples[i])
        counted += 1
      }
      if (row.sampleIds.length < pp) break
    } else {
      // Not cached: count it as full minus what we know is hidden there, to plan the next one.
      missing = true
      const lo = (p - 1) * pp + from
      const hi = Math.min(p * pp, listing.total)
      counted += hi - lo - placed.filter((o) => o >= lo && o < hi).length
    }
  }
  if (missing) return { view: null, listing, perPage: pp, needed }
  // Nothing to show (an empty job, or past the end): page 1 still carries the total.
  if (needed.length === 0) needed.push({ page: 1, fetchedAt: listing.fetchedAt })
  const fetchedAt = used.length > 0 ? Math.min(...used.map((p) => p.fetchedAt)) : listing.fetchedAt
  const staleAt = listing.staleAt
  return {
    listing,
    perPage: pp,
    needed,
    view: {
      samples,
      total: visibleTotal,
      page: req.page,
      perPage: size,
      pageCount: Math.ceil(visibleTotal / size),
      fetchedAt,
      ageMs: Math.max(0, now - fetchedAt),
      stale:
        staleAt !== null && (used.length > 0 ? used : [listing]).some((p) => p.fetchedAt < staleAt),
      fromCache: true
    }
  }
}

/**
 * The page as cached, or null when some of it is not. Only reads the database, so it is safe
 * in `liveQuery` / `useLiveQuery` (it then follows deletes, undos and syncs in any window).
 */
export function cachedPage(
  db: TagdeckDb,
  req: PageRequest,
  now = Date.now()
): Promise<PageView | null> {
  return db.transaction('r', [db.listings, db.pages], async () => (await plan(db, req, now)).view)
}

/** Fetches one service page and stores it; returns the service's answer either way. */
async function fetchServicePage(
  ctx: OfflineContext,
  req: ListingRequest,
  page: number
): Promise<{ result: SamplePage; outcome: StoreOutcome }> {
  const generation = (await ctx.db.jobs.get([req.connectionId, req.jobId]))?.generation ?? 0
  const result = await ctx.transport('samples.page', {
    connectionId: req.connectionId,
    jobId: req.jobId,
    filter: req.filter,
    page,
    perPage: req.perPage
  })
  const outcome = await storePage(ctx.db, req, result, generation, ctx.clock.now())
  return { result, outcome }
}

/** A service page shown as is (it could not be cached): queued deletions still left out. */
async function uncachedView(
  ctx: OfflineContext,
  req: PageRequest,
  result: SamplePage
): Promise<PageView> {
  const keys = result.samples.map((s) => outboxId(req.connectionId, req.jobId, s.id))
  const queued = await queuedKeys(ctx.db, keys)
  const listing = await ctx.db.listings.get(keyOf(req))
  const hidden = listing ? Object.keys(listing.hidden).length : 0
  const total = Math.max(0, result.total - hidden)
  const now = ctx.clock.now()
  return {
    samples: result.samples.filter((_, i) => !queued.has(keys[i])),
    total,
    page: req.page,
    perPage: req.perPage,
    pageCount: Math.ceil(total / req.perPage),
    fetchedAt: now,
    ageMs: 0,
    stale: true,
    fromCache: false
  }
}

/**
 * Loads what the page needs from the service (`refresh`: everything behind it, else only what
 * is missing) and returns it as cached. Throws when the service cannot be reached.
 */
async function load(ctx: OfflineContext, req: PageRequest, refresh: boolean): Promise<PageView> {
  const startedAt = ctx.clock.now()
  let last: SamplePage | null = null
  for (let round = 0; round < 6; round++) {
    const p = await ctx.db.transaction('r', [ctx.db.listings, ctx.db.pages], () =>
      plan(ctx.db, req, ctx.clock.now())
    )
    const due = p.needed.filter((n) => (refresh ? n.fetchedAt < startedAt : n.fetchedAt === 0))
    if (due.length === 0 && p.view) return p.view
    let deferred = false
    for (const { page } of due.length > 0 ? due : p.needed) {
      const { result, outcome } = await fetchServicePage(ctx, { ...req, perPage: p.perPage }, page)
      if (page === req.page && p.perPage === req.perPage) last = result
      deferred ||= !outcome.stored
    }
    if (deferred) {
      // A sync is moving this job's offsets: show the cache if whole, else the service's page.
      const cached = await cachedPage(ctx.db, req, ctx.clock.now())
      if (cached) return cached
      if (last) return uncachedView(ctx, req, last)
    }
  }
  const cached = await cachedPage(ctx.db, req, ctx.clock.now())
  if (cached) return cached
  if (last) return uncachedView(ctx, req, last)
  throw notAvailableOffline(`Page ${req.page}`)
}

const inFlight = new WeakMap<OfflineContext, Map<string, Promise<PageView | null>>>()
const flightKey = (r: PageRequest) => JSON.stringify([...keyOf(r), r.page])

/**
 * Refreshes the page from the service (deduplicated). Resolves to the fresh view, or null
 * when the service could not be reached (the cache stays as it was).
 */
export function refreshPage(ctx: OfflineContext, req: PageRequest): Promise<PageView | null> {
  const key = flightKey(req)
  const flights = inFlight.get(ctx) ?? new Map<string, Promise<PageView | null>>()
  inFlight.set(ctx, flights)
  const running = flights.get(key)
  if (running) return running
  const task = load(ctx, req, true)
    .catch((error: unknown) => {
      if (isUnreachable(error)) return null
      throw error
    })
    .finally(() => flights.delete(key))
  flights.set(key, task)
  return task
}

/**
 * The grid's read: the cached page at once (with its age) when there is one, refreshed in
 * the background when main says the service is reachable and the copy is stale or older than
 * `revalidateAfterMs`; else fetched. Offline with nothing cached: TagdeckError 'offline'.
 */
export async function readPage(ctx: OfflineContext, req: PageRequest): Promise<PageView> {
  const now = ctx.clock.now()
  const { db } = ctx
  const {
    view: cached,
    needed,
    perPage
  } = await db.transaction('r', [db.listings, db.pages], () => plan(db, req, now))
  const reachable = ctx.connectivity.mayTry(req.connectionId)
  if (cached) {
    void touchPages(db, { ...req, perPage }, needed, now)
    if (reachable && (cached.stale || cached.ageMs >= ctx.revalidateAfterMs)) {
      refreshPage(ctx, req).catch(logFailure(`page ${req.page} could not be refreshed`))
    }
    return cached
  }
  if (!reachable) throw notAvailableOffline(`Page ${req.page} of this job`)
  try {
    return await load(ctx, req, false)
  } catch (error) {
    if (isUnreachable(error)) throw notAvailableOffline(`Page ${req.page} of this job`)
    throw error
  }
}

/** Marks the pages behind a view as recently used, for eviction (at most once a minute). */
async function touchPages(db: TagdeckDb, req: PageRequest, needed: Plan['needed'], now: number) {
  const fk = filterKey(req.filter)
  const keys = needed.map(
    (n) =>
      [req.connectionId, req.jobId, fk, req.perPage, n.page] as [
        string,
        string,
        string,
        number,
        number
      ]
  )
  try {
    await db.transaction('rw', db.pages, async () => {
      const rows = (await db.pages.bulkGet(keys)).filter(
        (p): p is PageRow => p !== undefined && now - p.lastUsedAt > 60_000
      )
      if (rows.length > 0) await db.pages.bulkPut(rows.map((p) => ({ ...p, lastUsedAt: now })))
    })
  } catch (error) {
    // Only a hint for eviction: the page is shown all the same.
    logFailure('a page could not be marked as used')(error)
  }
}
