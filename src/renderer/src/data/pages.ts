import pLimit from 'p-limit'
import type { Sample } from '../../../shared/domain'
import type { PageView, ProblemFilter, SampleProblems, SearchCounts } from '../offline'
import { offline } from './offline'
import type { JobKey, PageRef, ViewRef } from './types'

export type { PageView }

/** Reads started ahead of need (the pointer is on a job), kept briefly for the grid to take. */
const PREFETCH_MS = 10_000
const prefetched = new Map<string, { at: number; page: Promise<PageView> }>()

function pageKey(ref: PageRef): string {
  return JSON.stringify([
    ref.connectionId,
    ref.jobId,
    ref.filter,
    ref.search,
    ref.page,
    ref.perPage
  ])
}

/**
 * One page of a filter (the grid's only read of samples), cache-first: the cached copy at once
 * (with its age, refreshed in the background when due), else the service's. Offline with
 * nothing cached: TagdeckError code `offline`.
 */
export function readPage(ref: PageRef): Promise<PageView> {
  const key = pageKey(ref)
  const early = prefetched.get(key)
  prefetched.delete(key)
  if (early && Date.now() - early.at < PREFETCH_MS) return early.page
  return offline().readPage(ref)
}

/**
 * Starts reading a page the user is about to open (hover or focus on a job), so opening it
 * waits for less. The next readPage of the same page takes the answer; a failure is left to it.
 */
export function prefetchPage(ref: PageRef): void {
  const key = pageKey(ref)
  const early = prefetched.get(key)
  if (early && Date.now() - early.at < PREFETCH_MS) return
  const page = offline().readPage(ref)
  page.catch(() => prefetched.delete(key))
  prefetched.set(key, { at: Date.now(), page })
}

/** One image's tags, boxes and size (the viewer): cached when offline. */
export async function readSample(job: JobKey, sampleId: string): Promise<Sample> {
  return (await offline().readSample(job, sampleId)).value
}

/**
 * Every sample id of a view ("select all"), a few pages at a time, reporting progress.
 * Stops early (returning what it has) when `signal` aborts.
 */
export async function collectSampleIds(
  job: JobKey,
  view: ViewRef,
  onProgress: (done: number, total: number) => void,
  signal?: AbortSignal
): Promise<string[]> {
  const perPage = 100
  const first = await readPage({ ...job, ...view, page: 1, perPage })
  const ids: string[][] = [first.samples.map((s) => s.id)]
  const pages = Math.ceil(first.total / perPage)
  let done = first.samples.length
  onProgress(done, first.total)
  // Four pages read at a time.
  const read = pLimit(4)
  await Promise.all(
    Array.from({ length: Math.max(0, pages - 1) }, (_, i) => i + 2).map((page) =>
      read(async () => {
        if (signal?.aborted) return
        const result = await readPage({ ...job, ...view, page, perPage })
        ids[page - 1] = result.samples.map((s) => s.id)
        done += result.samples.length
        onProgress(done, first.total)
      })
    )
  )
  return [...new Set(ids.flat())]
}

/** Whether the job is held whole offline: its filters, search and counts are answered locally. */
export function hasReplica(job: JobKey): Promise<boolean> {
  return offline().hasReplica(job)
}

/** Counts beside each choice of a search (null: the job is not held whole). */
export function searchCounts(job: JobKey, view: ViewRef): Promise<SearchCounts | null> {
  return offline().searchCounts(job, view.filter, view.search ?? {})
}

/** Images per problem check of a job held whole, near-duplicates too (null for other jobs). */
export function problemCounts(job: JobKey): Promise<Record<ProblemFilter, number> | null> {
  return offline().problemCounts(job)
}

/** The near-duplicate groups of a job held whole (null for other jobs). */
export function nearDuplicates(job: JobKey) {
  return offline().nearDuplicates(job)
}

/** What "keep one of each group, delete the rest" deletes, `keep` being the reviewer's choices. */
export function nearDuplicateRest(job: JobKey, keep: readonly string[]) {
  return offline().nearDuplicateRest(job, keep)
}

/** What the problem finder found on one image (null: nothing, or the job is not held whole). */
export function sampleProblems(job: JobKey, sampleId: string): Promise<SampleProblems | null> {
  return offline().sampleProblems(job, sampleId)
}
