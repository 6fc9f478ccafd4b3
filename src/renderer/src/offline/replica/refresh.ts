import { Dexie } from 'dexie'
import type { JobKey } from '../store/db'
import type { OfflineContext } from '../context'
import { listingKey } from '../hiding/listing'
import { filterKey, type PageKey } from '../store/db'
import { deletePages } from '../store/page-rows'
import { walkPages } from '../downloads/walk'
import { refreshJobData } from '../reads/job-data'
import { REPLICA_FILTER, REPLICA_PER_PAGE } from './held'

/**
 * Brings a replica up to date with the service: every page of the job read again (the samples'
 * labels, boxes and names; no image), stored where it changed, and pages past the new end
 * dropped. Added, removed and changed samples all show after it; images of added samples are
 * the download's to fetch (`OfflineDownloads.fetchMissing`). True when it read the whole job.
 */
export async function refreshReplica(
  ctx: OfflineContext,
  job: JobKey,
  signal: AbortSignal
): Promise<boolean> {
  await refreshJobData(ctx, job)
  const whole = await walkPages(ctx, job, REPLICA_FILTER, 1, signal, () => Promise.resolve(true))
  if (!whole) return false
  const { db } = ctx
  const key = listingKey({
    ...job,
    filterKey: filterKey(REPLICA_FILTER),
    perPage: REPLICA_PER_PAGE
  })
  await db.transaction('rw', [db.listings, db.pages, db.pageIds], async () => {
    const listing = await db.listings.get(key)
    if (!listing) return
    const last = Math.max(1, Math.ceil(listing.total / REPLICA_PER_PAGE))
    const prefix = [job.connectionId, job.jobId, listing.filterKey, listing.perPage]
    const past = (await db.pages
      .where(':id')
      .between([...prefix, last + 1], [...prefix, Dexie.maxKey])
      .primaryKeys()) as PageKey[]
    await deletePages(db, past)
  })
  return true
}
