import { Dexie, type Table } from 'dexie'
import type { JobKey, PageIdsRow, PageKey, PageRow, TagdeckDb } from './db'

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
  ids: p.sampleIds
})

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
const prefixRange = <T>(table: Table<T, PageKey>, prefix: string[]) =>
  table.where(':id').between([...prefix, Dexie.minKey], [...prefix, Dexie.maxKey])

/** Every cached page of a job (a prefix of the primary key). */
export const jobPageRange = (db: TagdeckDb, job: JobKey) =>
  prefixRange(db.pages, [job.connectionId, job.jobId])

/** The sample ids of every cached page of a job, without the pages. */
export const jobPageIds = (db: TagdeckDb, job: JobKey): Promise<PageIdsRow[]> =>
  prefixRange(db.pageIds, [job.connectionId, job.jobId]).toArray()

/**
 * Cached pages of this job that hold any of these samples: the job's page ids read (a few KB a
 * page, where a page row is tens), then only the pages that hold one read whole.
 */
export async function jobPagesHolding(
  db: TagdeckDb,
  job: JobKey,
  sampleIds: ReadonlySet<string>
): Promise<PageRow[]> {
  if (sampleIds.size === 0) return []
  const keys = (await jobPageIds(db, job))
    .filter((row) => row.ids.some((id) => sampleIds.has(id)))
    .map(pageKeyOf)
  const pages = await db.pages.bulkGet(keys)
  return pages.filter((p): p is PageRow => p !== undefined)
}
