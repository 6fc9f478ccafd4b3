import type { JobKey, PageRow, TagdeckDb } from './db'
import { writeScope } from '../hiding/listing'
import { deletePages, idsIn, jobPageIds, pageKeyOf } from './page-rows'
import { jobSignatures } from '../signatures/queue'

/**
 * Keeps the pages seen while browsing under a byte cap (Settings): least recently used first,
 * never a page of a job made available offline (nor counted), never the outbox (queued
 * deletions are the user's work, not cache).
 */

export interface EvictResult {
  bytesBefore: number
  bytesAfter: number
  pagesRemoved: number
  samplesRemoved: number
}

const jobKey = (j: JobKey) => `${j.connectionId}/${j.jobId}`

/** What the database holds: pages seen while browsing (the cache), and jobs held offline. */
export interface StorageUsage {
  /** Pages of jobs not made available offline: what the cap applies to. */
  cacheBytes: number
  /** Pages of jobs made available offline: never evicted. */
  offlineBytes: number
}

export async function storageUsage(db: TagdeckDb): Promise<StorageUsage> {
  const pinned = await pinnedJobs(db)
  const usage: StorageUsage = { cacheBytes: 0, offlineBytes: 0 }
  await db.pages.each((p) => {
    if (pinned.has(jobKey(p))) usage.offlineBytes += p.bytes
    else usage.cacheBytes += p.bytes
  })
  return usage
}

/** Bytes of the cached pages the cap applies to (samples included; jobs held offline not). */
export async function cacheBytes(db: TagdeckDb): Promise<number> {
  return (await storageUsage(db)).cacheBytes
}

async function pinnedJobs(db: TagdeckDb): Promise<Set<string>> {
  return new Set((await db.offlineJobs.toArray()).filter((o) => o.pin === 'pinned').map(jobKey))
}

export async function evict(db: TagdeckDb, capBytes: number): Promise<EvictResult> {
  const signatures = [db.signatures, db.signaturePacks]
  return db.transaction('rw', [...writeScope(db), db.offlineJobs, ...signatures], async () => {
    const pinned = await pinnedJobs(db)
    const bytesBefore = await cacheBytes(db)
    let bytes = bytesBefore
    const victims: PageRow[] = []
    if (bytes > capBytes) {
      await db.pages
        .orderBy('lastUsedAt')
        .until(() => bytes <= capBytes)
        .each((page) => {
          if (pinned.has(jobKey(page)) || bytes <= capBytes) return
          victims.push(page)
          bytes -= page.bytes
        })
    }
    if (victims.length === 0)
      return { bytesBefore, bytesAfter: bytes, pagesRemoved: 0, samplesRemoved: 0 }
    await deletePages(db, victims.map(pageKeyOf))
    const jobs = new Map(
      victims.map((p) => [jobKey(p), { connectionId: p.connectionId, jobId: p.jobId }])
    )
    let samplesRemoved = 0
    for (const job of jobs.values()) {
      const pages = await jobPageIds(db, job)
      const kept = new Set(pages.flatMap(idsIn))
      const listed = new Set(pages.map((p) => `${p.filterKey}/${p.perPage}`))
      const orphans = await db.samples
        .where('[connectionId+jobId]')
        .equals([job.connectionId, job.jobId])
        .filter((s) => !kept.has(s.sampleId))
        .primaryKeys()
      await db.samples.bulkDelete(orphans)
      samplesRemoved += orphans.length
      // Signatures are made for jobs held offline; one no longer held keeps none.
      await jobSignatures(db, job).delete()
      // A listing with no page left goes too; the outbox re-hides its samples when it returns.
      const listings = await db.listings
        .where('[connectionId+jobId]')
        .equals([job.connectionId, job.jobId])
        .toArray()
      await db.listings.bulkDelete(
        listings
          .filter((l) => !listed.has(`${l.filterKey}/${l.perPage}`))
          .map(
            (l) =>
              [l.connectionId, l.jobId, l.filterKey, l.perPage] as [string, string, string, number]
          )
      )
    }
    return { bytesBefore, bytesAfter: bytes, pagesRemoved: victims.length, samplesRemoved }
  })
}
