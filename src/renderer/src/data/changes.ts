import type { JobRef } from './types'

/**
 * "This job's pages are out of date": said by whoever changed them (a delete, an undo, a sync
 * that finished, a revalidation), heard by the grid and the counts, which then re-read.
 */
type Listener = (job: JobRef) => void
const listeners = new Set<Listener>()

export function onJobChanged(listener: Listener): () => void {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export function notifyJobChanged(job: JobRef): void {
  for (const listener of [...listeners]) listener(job)
}

export function sameJob(a: JobRef, b: JobRef): boolean {
  return a.connectionId === b.connectionId && a.jobId === b.jobId
}
