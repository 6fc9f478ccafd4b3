import type { Connectivity } from '../../../shared/domain'
import { call, platform } from '../platform'

/**
 * What the always-visible sync indicator shows. Connectivity comes from main (never
 * `navigator.onLine`); the counts are 0 until the offline outbox (issue 6) reports its own.
 */
export interface SyncStatus {
  connectivity: Connectivity['state']
  /** Deletions waiting to be sent, being sent, and failed. */
  pending: number
  sending: number
  failed: number
  lastSyncAt: number | null
  lastError: string | null
}

export const UNKNOWN_STATUS: SyncStatus = {
  connectivity: 'unknown',
  pending: 0,
  sending: 0,
  failed: 0,
  lastSyncAt: null,
  lastError: null
}

export function subscribeSyncStatus(
  connectionId: string,
  listener: (status: SyncStatus) => void
): () => void {
  let current = UNKNOWN_STATUS
  let stopped = false
  const apply = (c: Connectivity) => {
    if (c.connectionId !== connectionId || stopped) return
    current = { ...current, connectivity: c.state, lastError: c.lastError }
    listener(current)
  }
  const off = platform.on('connectivity', apply)
  // Events sent before the event stream is open are lost, so ask again while we know nothing.
  let asked = 0
  let timer: ReturnType<typeof setTimeout> | undefined
  const ask = () => {
    call('connectivity.get')
      .then((all) => all.forEach(apply))
      .catch(() => undefined)
      .finally(() => {
        if (!stopped && current.connectivity === 'unknown' && ++asked < 30)
          timer = setTimeout(ask, 1000)
      })
  }
  ask()
  return () => {
    stopped = true
    clearTimeout(timer)
    off()
  }
}
