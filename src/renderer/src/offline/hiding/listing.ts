import type { Sample } from '../../../../shared/domain'
import type { JobKey, ListingRow, PageRow, QueuedSample, TagdeckDb } from '../store/db'
import { deleteListingPages, listingPages, putPages, singleRows } from '../store/page-rows'
import { pagesHolding } from '../replica/held'
import { outboxId, queuedKeys, touchJob } from '../store/db'
import { matchesFilter, shiftedOffset, subtractFromStats } from './overlay'

/**
 * Keeping cached listings in step with the outbox. Every function here runs inside the
 * caller's read-write transaction (the tables of `writeScope`), so a delete, an undo or a
 * sync changes the outbox and what readers see atomically.
 */

export const writeScope = (db: TagdeckDb) => [
  db.listings,
  db.pages,
  db.pageIds,
  db.samples,
  db.jobs,
  db.outbox,
  db.inflight,
  db.settled,
  db.pauses,
  db.syncState,
  db.edits,
  db.editFlight,
  db.reviewLog
]

export const listingKey = (l: {
  connectionId: string
  jobId: string
  filterKey: string
  perPage: number
}): [string, string, string, number] => [l.connectionId, l.jobId, l.filterKey, l.perPage]

const sameListing = (a: ListingRow, p: PageRow) =>
  a.filterKey === p.filterKey && a.perPage === p.perPage

export function jobListings(db: TagdeckDb, job: JobKey): Promise<ListingRow[]> {
  return db.listings.where('[connectionId+jobId]').equals([job.connectionId, job.jobId]).toArray()
}

/** Hides freshly queued samples in every cached listing of their job. */
export async function hideInListings(
  db: TagdeckDb,
  job: JobKey,
  rows: readonly Pick<QueuedSample, 'sampleId' | 'tags'>[],
  /** The job's cached pages holding these samples, when the caller has read them already. */
  holding?: readonly PageRow[]
) {
  if (rows.length === 0) return
  const listings = await jobListings(db, job)
  if (listings.length === 0) return
  const wanted = new Set(rows.map((r) => r.sampleId))
  for (const page of holding ?? (await pagesHolding(db, job, wanted))) {
    const listing = listings.find((l) => sameListing(l, page))
    if (!listing) continue
    page.sampleIds.forEach((id, i) => {
      if (wanted.has(id)) listing.hidden[id] = (page.page - 1) * page.perPage + i
    })
  }
  for (const row of rows) {
    for (const listing of listings) {
      if (row.sampleId in listing.hidden) continue
      if (matchesFilter(row.tags, listing.filter)) listing.hidden[row.sampleId] = -1
    }
  }
  await db.listings.bulkPut(listings)
}

/** Shows samples again (undo, discard). */
export async function unhideInListings(db: TagdeckDb, job: JobKey, sampleIds: readonly string[]) {
  const listings = await jobListings(db, job)
  const changed = listings.filter((l) => sampleIds.some((id) => id in l.hidden))
  for (const listing of changed) for (const id of sampleIds) delete listing.hidden[id]
  if (changed.length > 0) await db.listings.bulkPut(changed)
}

/**
 * Re-places hidden samples after `page` of `listing` was stored fresh: ids on it that are in
 * the outbox get their offsets; hidden ids that used to be on it and are not any more lose them.
 */
export async function placeHiddenOnPage(
  db: TagdeckDb,
  listing: ListingRow,
  page: PageRow,
  anyQueued = true
) {
  const start = (page.page - 1) * listing.perPage
  const end = start + listing.perPage
  const onPage = new Set(page.sampleIds)
  for (const [id, offset] of Object.entries(listing.hidden)) {
    if (offset >= start && offset < end && !onPage.has(id)) listing.hidden[id] = -1
  }
  if (!anyQueued) return
  const keys = page.sampleIds.map((id) => outboxId(listing.connectionId, listing.jobId, id))
  const queued = await queuedKeys(db, keys)
  keys.forEach((key, i) => {
    if (queued.has(key)) listing.hidden[page.sampleIds[i]] = start + i
  })
}

/**
 * The service deleted the job's settled rows: rewrite every cached listing of the job as the
 * service now has it (later samples move up; pages re-chunked), drop what cannot be placed
 * exactly, take the samples out of the stats, and forget the settled batches. Readers see no
 * change in what is visible (those samples were hidden already), only in where it sits.
 */
export async function rebaseJob(db: TagdeckDb, job: JobKey, now: number): Promise<number> {
  const batches = await db.settled
    .where('[connectionId+jobId]')
    .equals([job.connectionId, job.jobId])
    .toArray()
  const done = batches.flatMap((b) => b.rows)
  if (batches.length === 0) return 0
  const gone = new Set(done.map((r) => r.sampleId))
  for (const listing of await jobListings(db, job)) {
    await rebaseListing(db, listing, gone, now)
  }
  const jobRow = await db.jobs.get([job.connectionId, job.jobId])
  if (jobRow?.stats) await db.jobs.put({ ...jobRow, stats: subtractFromStats(jobRow.stats, done) })
  await db.settled.bulkDelete(batches.map((b) => b.id))
  // Only the few samples read on their own have rows: look them up instead of deleting blind.
  const singles = (await db.samples
    .where('[connectionId+jobId]')
    .equals([job.connectionId, job.jobId])
    .primaryKeys()) as unknown as [string, string, string][]
  await db.samples.bulkDelete(singles.filter((key) => gone.has(key[2])))
  await touchJob(db, job, { generation: true })
  return done.length
}

interface Kept {
  offset: number
  sample: Sample
  page: PageRow
}

async function rebaseListing(db: TagdeckDb, listing: ListingRow, gone: Set<string>, now: number) {
  const pp = listing.perPage
  const pages = await listingPages(db, listing)
  const removed: number[] = []
  const kept: Kept[] = []
  const found = new Set<string>()
  let contiguousEnd = 0
  for (const page of pages) {
    if ((page.page - 1) * pp === contiguousEnd && contiguousEnd % pp === 0) {
      contiguousEnd += page.sampleIds.length
    }
    page.samples.forEach((sample, i) => {
      const offset = (page.page - 1) * pp + i
      if (gone.has(sample.id)) {
        removed.push(offset)
        found.add(sample.id)
      } else kept.push({ offset, sample, page })
    })
  }
  let unplaced = 0
  let removedCount = found.size
  for (const id of gone) {
    if (found.has(id) || !(id in listing.hidden)) continue
    removedCount += 1
    unplaced += 1
  }
  if (removedCount === 0) return
  removed.sort((a, b) => a - b)
  // A deleted sample we never saw could have sat anywhere past the cached prefix.
  const exactBelow = unplaced > 0 ? contiguousEnd : Number.POSITIVE_INFINITY
  const total = Math.max(0, listing.total - removedCount)

  const next = new Map<number, { samples: Sample[]; sources: Set<PageRow> }>()
  for (const k of kept) {
    if (k.offset >= exactBelow) continue
    const offset = shiftedOffset(k.offset, removed)
    const page = Math.floor(offset / pp) + 1
    const entry = next.get(page) ?? { samples: [], sources: new Set<PageRow>() }
    entry.samples[offset % pp] = k.sample
    entry.sources.add(k.page)
    next.set(page, entry)
  }
  const rows: PageRow[] = []
  for (const [page, { samples, sources }] of next) {
    const expected = Math.min(pp, total - (page - 1) * pp)
    let complete = expected > 0 && samples.length === expected
    for (let i = 0; complete && i < expected; i++) complete = samples[i] !== undefined
    if (!complete) continue
    const from = [...sources]
    const perId =
      from.reduce((s, p) => s + p.bytes, 0) /
      Math.max(
        1,
        from.reduce((s, p) => s + p.sampleIds.length, 0)
      )
    rows.push({
      connectionId: listing.connectionId,
      jobId: listing.jobId,
      filterKey: listing.filterKey,
      perPage: pp,
      page,
      sampleIds: samples.map((s) => s.id),
      samples,
      fetchedAt: Math.min(...from.map((p) => p.fetchedAt)),
      lastUsedAt: Math.max(...from.map((p) => p.lastUsedAt)),
      bytes: Math.round(perId * samples.length)
    })
  }
  await deleteListingPages(db, listing)
  await putPages(db, rows)

  const hidden: Record<string, number> = {}
  for (const [id, offset] of Object.entries(listing.hidden)) {
    if (gone.has(id)) continue
    hidden[id] = offset < 0 || offset >= exactBelow ? -1 : shiftedOffset(offset, removed)
  }
  await db.listings.put({ ...listing, total, hidden, staleAt: now })
}

/**
 * The cached copies of some samples of a job: a single read (`samples.get`, the viewer) when
 * newer than the page that carries the sample, else the page's.
 */
export async function cachedSamples(
  db: TagdeckDb,
  job: JobKey,
  sampleIds: readonly string[],
  /** The job's cached pages holding these samples, when the caller has read them already. */
  holding?: readonly PageRow[]
): Promise<Map<string, { sample: Sample; at: number }>> {
  const found = new Map<string, { sample: Sample; at: number }>()
  const wanted = new Set(sampleIds)
  for (const page of holding ?? (await pagesHolding(db, job, wanted))) {
    for (const sample of page.samples) {
      const known = found.get(sample.id)
      if (wanted.has(sample.id) && (!known || known.at < page.fetchedAt)) {
        found.set(sample.id, { sample, at: page.fetchedAt })
      }
    }
  }
  for (const row of await singleRows(db, job, wanted)) {
    const known = found.get(row.sampleId)
    if (!known || known.at <= row.lastSeen) {
      found.set(row.sampleId, { sample: row.sample, at: row.lastSeen })
    }
  }
  return found
}
