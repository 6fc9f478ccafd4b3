import { Dexie, type Table } from 'dexie'
import type { JobKey, ListingRow, PageIdsRow, PageKey, PageRow, SampleRow, TagdeckDb } from './db'

/**
 * Writing and finding cached pages. Each page row has a small twin in `pageIds` (its sample
 * ids and nothing else) that answers "which cached pages hold these samples" for deletions. It
 * replaced a multi-entry index on the pages' ids, which cost every page written a hundred index
 * entries: half of what Chromium's database process spent caching a job for offline use. So
 * every write or delete of page rows goes through here, and the two tables move together.
 */

export const pageKeyOf = (p: PageRow | PageIdsRow): PageKey => [
  p.connectionId,
  p.jobId,
  p.filterKey,
  p.perPage,
  p.page
]

const idsOf = (p: PageRow): PageIdsRow => ({
  connectionId: p.connectionId,
  jobId: p.jobId,
  filterKey: p.filterKey,
  perPage: p.perPage,
  page: p.page,
  ids: JSON.stringify(p.sampleIds)
})

/** The sample ids a `pageIds` row holds. */
export const idsIn = (row: PageIdsRow): string[] => JSON.parse(row.ids) as string[]

/** Up to this many ids are looked for in a row's text; more, and the row is parsed. */
const SEARCH_LIMIT = 16

/**
 * Whether the row holds `id`, from its JSON text without parsing it: the id's JSON form counts
 * where it is a whole element (after `[` or `,`: a quote inside an id is escaped, so one
 * there always opens an element).
 */
function holds(text: string, id: string): boolean {
  const needle = JSON.stringify(id)
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
    const before = text[at - 1]
    const after = text[at + needle.length]
    if ((before === '[' || before === ',') && (after === ']' || after === ',')) return true
  }
  return false
}

/**
 * The job's single rows (images read one at a time) of these samples: the job's keys in one
 * read, then only the rows there are, rather than a lookup per sample that nearly always misses
 * (a request each to IndexedDB: 10,000 for a selection of 10,000 deletions).
 */
export async function singleRows(
  db: TagdeckDb,
  job: JobKey,
  sampleIds: ReadonlySet<string>
): Promise<SampleRow[]> {
  const keys = (await db.samples
    .where('[connectionId+jobId]')
    .equals([job.connectionId, job.jobId])
    .primaryKeys()) as [string, string, string][]
  const wanted = keys.filter((key) => sampleIds.has(key[2]))
  if (wanted.length === 0) return []
  return (await db.samples.bulkGet(wanted)).filter((r): r is SampleRow => r !== undefined)
}

/** Stores pages (new or replacing their keys); not awaited one by one: the transaction orders them. */
export function putPages(db: TagdeckDb, rows: readonly PageRow[]): Promise<unknown> {
  if (rows.length === 0) return Promise.resolve()
  return Promise.all([db.pages.bulkPut([...rows]), db.pageIds.bulkPut(rows.map(idsOf))])
}

export function deletePages(db: TagdeckDb, keys: readonly PageKey[]): Promise<unknown> {
  if (keys.length === 0) return Promise.resolve()
  return Promise.all([db.pages.bulkDelete([...keys]), db.pageIds.bulkDelete([...keys])])
}

/** A range of the primary key: every row of `table` whose key starts with `prefix`. */
const prefixRange = <T>(table: Table<T, PageKey>, prefix: (string | number)[]) =>
  table.where(':id').between([...prefix, Dexie.minKey], [...prefix, Dexie.maxKey])

/** A listing's key: the first four parts of its pages' keys. */
const listingPrefix = (l: ListingRow) => [l.connectionId, l.jobId, l.filterKey, l.perPage]

/**
 * A listing's cached pages, by page number: a range of the primary key, not of an index, which
 * Chromium reads with a second lookup per page.
 */
export const listingPages = (db: TagdeckDb, l: ListingRow): Promise<PageRow[]> =>
  prefixRange(db.pages, listingPrefix(l)).toArray()

/** Every cached page of a listing gone, and their ids: two range deletes. */
export function deleteListingPages(db: TagdeckDb, l: ListingRow): Promise<unknown> {
  return Promise.all([
    prefixRange(db.pages, listingPrefix(l)).delete(),
    prefixRange(db.pageIds, listingPrefix(l)).delete()
  ])
}

/** Every cached page of a job (a prefix of the primary key). */
export const jobPageRange = (db: TagdeckDb, job: JobKey) =>
  prefixRange(db.pages, [job.connectionId, job.jobId])

/** The sample ids of every cached page of a job, without the pages. */
export const jobPageIds = (db: TagdeckDb, job: JobKey): Promise<PageIdsRow[]> =>
  prefixRange(db.pageIds, [job.connectionId, job.jobId]).toArray()

/**
 * Where one listing keeps some samples, as a guess (the replica's order says so): the listing's
 * key prefix ([connectionId, jobId, filterKey, perPage]) and each sample's page number there.
 */
export interface PageGuess {
  prefix: [string, string, string, number]
  pageOf: ReadonlyMap<string, number>
}

/**
 * Cached pages of this job that hold any of these samples: the job's page ids read (a few KB a
 * page, where a page row is tens), then only the pages that hold one read whole. With a `guess`
 * (a job held whole: 1,000 pages at 100,000 images, whose ids cost ~0.7 s to read), the guessed
 * pages are read and checked instead, and only the other listings' ids (and, for samples not
 * where guessed, the guessed listing's) are read.
 */
export async function jobPagesHolding(
  db: TagdeckDb,
  job: JobKey,
  sampleIds: ReadonlySet<string>,
  guess?: PageGuess
): Promise<PageRow[]> {
  if (sampleIds.size === 0) return []
  if (!guess) return pagesFound(db, await jobPageIds(db, job), sampleIds)
  const numbers = new Set<number>()
  for (const id of sampleIds) {
    const n = guess.pageOf.get(id)
    if (n !== undefined) numbers.add(n)
  }
  const guessed = (await db.pages.bulkGet([...numbers].map((n) => [...guess.prefix, n] as PageKey)))
    .filter((p): p is PageRow => p !== undefined)
    .filter((p) => p.sampleIds.some((id) => sampleIds.has(id)))
  const missed = new Set(sampleIds)
  for (const p of guessed) for (const id of p.sampleIds) missed.delete(id)
  const inGuessed = (key: PageKey) => guess.prefix.every((part, i) => key[i] === part)
  // Keys only, to tell the listings apart: reading them costs little next to their values.
  const keys = (await jobPageRangeKeys(db, job)).filter((k) => missed.size > 0 || !inGuessed(k))
  const rows = (await db.pageIds.bulkGet(keys)).filter((r): r is PageIdsRow => r !== undefined)
  const others = await pagesFound(
    db,
    rows.filter((r) => !inGuessed(pageKeyOf(r))),
    sampleIds
  )
  const rest =
    missed.size > 0
      ? await pagesFound(
          db,
          rows.filter((r) => inGuessed(pageKeyOf(r))),
          missed
        )
      : []
  // `rest` holds none of the guessed pages: `missed` is what none of them holds.
  return [...guessed, ...others, ...rest]
}

/** The job's page keys (the pages' ids' rows' keys, without their values). */
const jobPageRangeKeys = async (db: TagdeckDb, job: JobKey): Promise<PageKey[]> =>
  (await prefixRange(db.pageIds, [job.connectionId, job.jobId]).primaryKeys()) as PageKey[]

/** The pages, of these ids' rows, that hold any of the samples. */
async function pagesFound(
  db: TagdeckDb,
  rows: readonly PageIdsRow[],
  sampleIds: ReadonlySet<string>
): Promise<PageRow[]> {
  const few = sampleIds.size <= SEARCH_LIMIT ? [...sampleIds] : null
  const keys = rows
    .filter((row) =>
      few ? few.some((id) => holds(row.ids, id)) : idsIn(row).some((id) => sampleIds.has(id))
    )
    .map(pageKeyOf)
  const pages = await db.pages.bulkGet(keys)
  return pages.filter((p): p is PageRow => p !== undefined)
}
