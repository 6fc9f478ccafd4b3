import type { DeleteOutcome, TagFilter } from '../../../shared/domain'
import type { JobKey, LocalSearch } from '../offline'

/** A job on a connection: the key of everything the review UI reads (the offline layer's). */
export type { JobKey }

/** What the grid shows: a filter of the service's, narrowed by a local search (replicas only). */
export interface ViewRef {
  filter: TagFilter
  search?: LocalSearch
}

export interface PageRef extends JobKey, ViewRef {
  /** 1-based. */
  page: number
  /** 1..100. */
  perPage: number
}

/**
 * What a delete request did. Deletions go through the offline outbox: `queued` lists them (hidden
 * everywhere at once, sent after the undo window) and `undoable` says an undo can take them back.
 */
export interface DeletionReceipt {
  job: JobKey
  ids: string[]
  /** Sent and confirmed (deleted, or already gone on the service). */
  done: string[]
  /** Waiting in the outbox to be sent. */
  queued: string[]
  failed: { id: string; code?: string; message?: string }[]
  undoable: boolean
  /**
   * Epoch ms until which the toast may offer Undo (the deletions are not sent before), or null
   * when the undo window is 0.
   */
  undoUntil: number | null
  /** The deletion id of each queued sample (the outbox's), for undo; opaque to the UI. */
  deletionIds?: readonly string[]
}

export interface UndoResult {
  /** Back in the job: the deletion had not been sent yet. */
  restored: string[]
  /** Already deleted on the service: nothing to undo. */
  tooLate: string[]
}

export type { DeleteOutcome }
