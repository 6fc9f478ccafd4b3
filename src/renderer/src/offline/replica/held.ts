import type { Sample, TagFilter } from '../../../../shared/domain'
import type { JobKey, PageRow, TagdeckDb } from '../store/db'
import { filterKey } from '../store/db'
import { jobPagesHolding, type PageGuess } from '../store/page-rows'
import type { Replica } from './replica'

/**
 * The samples of jobs held whole, as read into memory (`replica.ts` reads them and builds each
 * version of a replica on them). Kept apart so the cache's lower layers (the outbox, the pages'
 * readers, the edits) can ask where a sample is without reading every page id of the job.
 */

/** The listing a whole job is held in. */
export const REPLICA_FILTER: TagFilter = { kind: 'everything' }
export const REPLICA_PER_PAGE = 100

/** The samples as stored (hidden ones included), kept until a page of the job is rewritten. */
export interface Held {
  generation: number
  writes: number
  total: number
  samples: Sample[]
  fetchedAt: number
  replica: Replica | null
  /** The replica last answered (kept when `replica` is dropped): its problem report may carry over. */
  last: Replica | null
  /** Each sample's place in `samples`, worked out when first asked for (`heldPageGuess`). */
  positions?: Map<string, number>
}

const held = new WeakMap<TagdeckDb, Map<string, Held>>()
export const jobKeyOf = (job: JobKey) => `${job.connectionId}\u0000${job.jobId}`

/** The jobs of this database held in memory, by `jobKeyOf`. */
export function heldJobs(db: TagdeckDb): Map<string, Held> {
  const jobs = held.get(db) ?? new Map<string, Held>()
  held.set(db, jobs)
  return jobs
}

/**
 * Patches the samples held in memory (the service took a review edit), so the next read need not
 * read every page again; the pages in the database are patched alike by the caller.
 */
export function patchHeld(
  db: TagdeckDb,
  job: JobKey,
  patches: ReadonlyMap<string, (sample: Sample) => Sample>
): void {
  const entry = held.get(db)?.get(jobKeyOf(job))
  if (!entry) return
  // The same samples in the same places (`positions` still holds).
  entry.samples = entry.samples.map((s) => patches.get(s.id)?.(s) ?? s)
  entry.last = entry.replica ?? entry.last
  entry.replica = null
}

/**
 * Which page of the replica's listing each of these samples is on, as the samples held in memory
 * say (undefined when the job is not held): a guess the caller checks against the pages, since
 * a refresh under way may have moved a sample by one place.
 */
export function heldPageGuess(
  db: TagdeckDb,
  job: JobKey,
  sampleIds: Iterable<string>
): PageGuess | undefined {
  const entry = held.get(db)?.get(jobKeyOf(job))
  if (!entry) return undefined
  entry.positions ??= new Map(entry.samples.map((s, i) => [s.id, i]))
  const pageOf = new Map<string, number>()
  for (const id of sampleIds) {
    const at = entry.positions.get(id)
    if (at !== undefined) pageOf.set(id, Math.floor(at / REPLICA_PER_PAGE) + 1)
  }
  const prefix: PageGuess['prefix'] = [
    job.connectionId,
    job.jobId,
    filterKey(REPLICA_FILTER),
    REPLICA_PER_PAGE
  ]
  return { prefix, pageOf }
}

/** Whether the job's samples are held in memory (a read of the replica costs no page read). */
export function inMemory(db: TagdeckDb, job: JobKey): boolean {
  return held.get(db)?.has(jobKeyOf(job)) ?? false
}

/**
 * The job's cached pages holding these samples: for a job held in memory, the pages its replica
 * says (checked against them, `jobPagesHolding`), not a read of every page id of the job (1,000
 * rows of 100 ids each at 100,000 images: tens of milliseconds on every viewer step).
 */
export function pagesHolding(
  db: TagdeckDb,
  job: JobKey,
  sampleIds: ReadonlySet<string>
): Promise<PageRow[]> {
  return jobPagesHolding(db, job, sampleIds, heldPageGuess(db, job, sampleIds))
}
