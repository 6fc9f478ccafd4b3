import { call } from '../platform'
import { notifyJobChanged } from './changes'
import type { DeletionReceipt, JobRef, UndoResult } from './types'

/** The service takes up to 1000 ids a call; the outbox will send 100 at a time, so do we. */
export const BATCH = 100

/**
 * Deletes samples of a job. For now straight through `samples.delete`; the offline outbox
 * (issue 6) replaces the body with "queue and hide in one transaction" and returns the ids
 * as `queued` with `undoable: true`. Resolves with what happened to every id; rejects only
 * when nothing could be sent at all (and then nothing was deleted by this call).
 */
export async function deleteSamples(job: JobRef, ids: readonly string[]): Promise<DeletionReceipt> {
  const receipt: DeletionReceipt = {
    job,
    ids: [...ids],
    done: [],
    queued: [],
    failed: [],
    undoable: false
  }
  try {
    for (let i = 0; i < ids.length; i += BATCH) {
      const outcomes = await call('samples.delete', { ...job, sampleIds: ids.slice(i, i + BATCH) })
      for (const outcome of outcomes) {
        if (outcome.status === 'failed') {
          receipt.failed.push({ id: outcome.id, code: outcome.code, message: outcome.message })
        } else receipt.done.push(outcome.id)
      }
    }
  } catch (error) {
    // A batch failed as a whole after earlier ones went: report those, fail the rest.
    if (receipt.done.length === 0 && receipt.failed.length === 0) throw error
    const seen = new Set([...receipt.done, ...receipt.failed.map((f) => f.id)])
    const message = error instanceof Error ? error.message : String(error)
    for (const id of ids) if (!seen.has(id)) receipt.failed.push({ id, message })
  } finally {
    notifyJobChanged(job)
  }
  return receipt
}

/** Takes back deletions not yet sent. Direct deletes are sent at once, so nothing comes back. */
export async function undoDeletion(receipt: DeletionReceipt): Promise<UndoResult> {
  return { restored: [], tooLate: [...receipt.done, ...receipt.queued] }
}
