import { useLiveQuery } from 'dexie-react-hooks'
import { useEffect, useState } from 'react'
import type { OutboxStatus, PanelRow, SyncStatus } from '../offline'
import { offline } from './offline'

export type { SyncStatus, PanelRow, OutboxStatus }

/**
 * What the always-visible sync indicator shows: the outbox's counts and the runner's notes
 * (from any window) with main's connectivity (never `navigator.onLine`). Null until known.
 */
export function useSyncStatus(connectionId?: string): SyncStatus | null {
  const [status, setStatus] = useState<SyncStatus | null>(null)
  useEffect(() => offline().watchSyncStatus(setStatus, connectionId), [connectionId])
  return status
}

/** Rows of one status for the "Pending changes" panel, oldest first (at most `limit`). */
export function usePendingRows(status: OutboxStatus, limit = 200): PanelRow[] | undefined {
  return useLiveQuery(() => offline().pendingRows(status, limit), [status, limit])
}

export const retryDeletions = (deletionIds: readonly string[]) => offline().retry(deletionIds)
export const discardDeletions = (deletionIds: readonly string[]) => offline().discard(deletionIds)
export const undoDeletions = (deletionIds: readonly string[]) => offline().undo(deletionIds)
export const resumeConnection = (connectionId: string) => offline().resumeConnection(connectionId)
