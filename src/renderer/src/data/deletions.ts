import { notifyJobChanged } from './changes'
import { offline } from './offline'
import type { DeletionReceipt, JobRef, UndoResult } from './types'

/** The outbox sends 100 ids a call. */
export const BATCH = 100

/**
 * Deletes samples of a job through the offline outbox: rows written and the samples hidden
 * from every cached page and count in one IndexedDB transaction. They reach the service after
 * the undo window when it is reachable, else whenever it is again (also after a restart).
 */
export async function deleteSamples(job: JobRef, ids: readonly string[]): Promise<DeletionReceipt> {
  const result = await offline().deleteSamples(job, ids)
  notifyJobChanged(job)
  const fresh = new Set(ids)
  for (const id of result.alreadyQueued) fresh.delete(id)
  return {
    job,
    ids: [...ids],
    done: [],
    queued: [...fresh, ...result.alreadyQueued],
    failed: [],
    undoable: result.rowIds.length > 0,
    undoHandle: result.rowIds
  }
}

/** Takes back deletions not yet sent; those already on their way are `tooLate`. */
export async function undoDeletion(receipt: DeletionReceipt): Promise<UndoResult> {
  const rowIds = receipt.undoHandle ?? []
  const result = await offline().undo(rowIds)
  notifyJobChanged(receipt.job)
  const sampleOf = (rowId: string) => rowId.slice(rowId.lastIndexOf('/') + 1)
  return { restored: result.removed.map(sampleOf), tooLate: result.tooLate.map(sampleOf) }
}
