import { Dexie, liveQuery } from 'dexie'
import type { ConnectivityTracker, ConnectivityState } from './connectivity'
import type { EditStatus, PauseRow, SyncProgress, SyncStateRow, TagdeckDb } from '../store/db'
import { editCounts } from './sync-edits'
import { pendingCounts, type PendingCounts } from '../outbox/outbox'
import { logFailure } from '../log'

/**
 * What the always-visible sync indicator shows. The counts are of deletions and review edits
 * together (an image's labels changed, a verdict); `conflicts` and `parked` are edits that wait
 * for the reviewer (a colleague changed the image; the task no longer takes the verdict).
 */
export interface SyncStatus extends PendingCounts {
  conflicts: number
  parked: number
  /** The deletions' share of the counts, and the edits' (the panel's sections). */
  deletions: PendingCounts
  edits: Record<EditStatus, number>
  state: 'offline' | 'online' | 'syncing' | 'paused' | 'error'
  connectivity: ConnectivityState
  /** Changes that will reach the service by themselves (queued + sending + paused). */
  pending: number
  lastSyncAt: number | null
  lastError: string | null
  progress: { done: number; total: number } | null
  /** Connections waiting for the user to sign in again (resume with `resumeConnection`). */
  signInNeeded: string[]
}

interface Stored {
  counts: PendingCounts
  edits: Record<EditStatus, number>
  sync: SyncStateRow | undefined
  pauses: PauseRow[]
}

function connectivityOf(tracker: ConnectivityTracker, connectionId?: string): ConnectivityState {
  if (connectionId !== undefined) return tracker.state(connectionId)
  const states = tracker.all().map((c) => c.state)
  if (states.includes('online')) return 'online'
  if (states.includes('offline')) return 'offline'
  return 'unknown'
}

/** Deletions' and edits' counts as one. */
function together(deletions: PendingCounts, edits: Record<EditStatus, number>): PendingCounts {
  return {
    queued: deletions.queued + edits.queued,
    sending: deletions.sending + edits.sending,
    failed: deletions.failed + edits.failed,
    paused: deletions.paused + edits.paused,
    willSync: deletions.willSync + edits.queued + edits.sending + edits.paused
  }
}

export function deriveStatus(stored: Stored, connectivity: ConnectivityState): SyncStatus {
  const { sync, pauses, edits } = stored
  const counts = together(stored.counts, edits)
  const progress: SyncProgress | null = sync?.progress ?? null
  const pause = pauses[0]
  const state: SyncStatus['state'] =
    pauses.length > 0
      ? 'paused'
      : counts.sending > 0 || progress !== null
        ? 'syncing'
        : connectivity === 'offline'
          ? 'offline'
          : counts.failed > 0 ||
              edits.conflict > 0 ||
              edits.parked > 0 ||
              (sync?.lastError ?? null) !== null
            ? 'error'
            : 'online'
  return {
    ...counts,
    conflicts: edits.conflict,
    parked: edits.parked,
    deletions: stored.counts,
    edits,
    state,
    connectivity,
    pending: counts.willSync,
    lastSyncAt: sync?.lastSyncAt ?? null,
    lastError: pause ? pause.message : (sync?.lastError?.message ?? null),
    progress: progress && { done: progress.done, total: progress.total },
    signInNeeded: pauses.map((p) => p.connectionId)
  }
}

/**
 * The least time between two reads of the status. Reviewing at speed, each decision is queued,
 * sent and settled in writes of its own: read after each (45 times a second at 100 decisions a
 * minute with several indicators), the status held the database behind the next image.
 */
export const STATUS_READ_MS = 250

/**
 * Follows the sync status (the outbox and the runner's notes, from any window, plus main's
 * connectivity). `connectionId` narrows counts and connectivity to one connection.
 */
export function watchSyncStatus(
  db: TagdeckDb,
  connectivity: ConnectivityTracker,
  listener: (status: SyncStatus) => void,
  connectionId?: string
): () => void {
  let stored: Stored | null = null
  const emit = () => {
    if (stored) listener(deriveStatus(stored, connectivityOf(connectivity, connectionId)))
  }
  let lastRead = Number.NEGATIVE_INFINITY
  const subscription = liveQuery(async () => {
    // Every queued, sent or settled change writes what this reads: at most one read per
    // STATUS_READ_MS (each walks the keys of every pending change), the last change always read.
    const wait = lastRead + STATUS_READ_MS - performance.now()
    if (wait > 0) await Dexie.waitFor(new Promise((resolve) => setTimeout(resolve, wait)))
    lastRead = performance.now()
    const [counts, edits, sync, pauses] = await Promise.all([
      pendingCounts(db, connectionId),
      editCounts(db, connectionId),
      db.syncState.get('engine'),
      connectionId === undefined
        ? db.pauses.toArray()
        : db.pauses.where('connectionId').equals(connectionId).toArray()
    ])
    return { counts, edits, sync, pauses }
  }).subscribe({
    next: (value) => {
      stored = value
      emit()
    },
    // The database failed under the status (quota, a closed connection): say so, where it shows.
    error: (error: unknown) => {
      logFailure('the sync status could not be read')(error)
      const empty = { queued: 0, sending: 0, failed: 0, paused: 0, willSync: 0 }
      const noEdits = { ...empty, conflict: 0, parked: 0 }
      const last = stored ?? { counts: empty, edits: noEdits, sync: undefined, pauses: [] }
      listener({
        ...deriveStatus(last, connectivityOf(connectivity, connectionId)),
        state: 'error',
        lastError: error instanceof Error ? error.message : String(error)
      })
    }
  })
  const off = connectivity.subscribe((c) => {
    if (connectionId === undefined || c.connectionId === connectionId) emit()
  })
  return () => {
    subscription.unsubscribe()
    off()
  }
}
