import { offline } from './offline'
import type { DeletionReceipt, JobKey, UndoResult } from './types'

/** The outbox sends 100 ids a call. */
export const BATCH = 100

/**
 * Margin between the end of the undo window (when the toast's Undo disappears) and the moment
 * the outbox may send the deletion, so an Undo pressed in the window's last instant still finds
 * it unsent.
 */
export const UNDO_GRACE_MS = 1_000

/**
 * Deletes samples of a job through the offline outbox: rows written and the samples hidden
 * from every cached page and count in one IndexedDB transaction. They reach the service after
 * the undo window (and its grace) when it is reachable, else whenever it is again (also after
 * a restart). `undoWindowMs` 0 sends them at once, with nothing to undo from a toast.
 */
export async function deleteSamples(
  job: JobKey,
  ids: readonly string[],
  undoWindowMs: number
): Promise<DeletionReceipt> {
  const start = Date.now()
  const holdMs = undoWindowMs > 0 ? undoWindowMs + UNDO_GRACE_MS : 0
  const result = await offline().deleteSamples(job, ids, holdMs)
  const fresh = new Set(ids)
  for (const id of result.alreadyQueued) fresh.delete(id)
  return {
    job,
    ids: [...ids],
    done: [],
    queued: [...fresh, ...result.alreadyQueued],
    failed: [],
    undoable: result.deletionIds.length > 0,
    undoUntil: undoWindowMs > 0 ? start + undoWindowMs : null,
    deletionIds: result.deletionIds
  }
}

/** Names of samples of a job the cache holds (the others are left out). */
export function sampleNames(job: JobKey, ids: readonly string[]): Promise<Map<string, string>> {
  return offline().sampleNames(job, ids)
}

/** Takes back deletions not yet sent; those already on their way are `tooLate`. */
export async function undoDeletion(receipt: DeletionReceipt): Promise<UndoResult> {
  const deletionIds = receipt.deletionIds ?? []
  const result = await offline().undo(deletionIds)
  const sampleOf = (deletionId: string) => deletionId.slice(deletionId.lastIndexOf('/') + 1)
  return { restored: result.removed.map(sampleOf), tooLate: result.tooLate.map(sampleOf) }
}
