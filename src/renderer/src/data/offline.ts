import { call, platform } from '../platform'
import type { EvictResult, Offline } from '../offline'
import { getOffline } from '../offline'
import { getSettings } from '../settings'

/**
 * The app's offline layer (issue 6): cache-first reads, the outbox of deletions and the sync
 * runner. `startOffline()` runs once at startup; it also keeps main told how many deletions
 * are pending and whether a sync runs (the quit warning; an update waits for both) and, in the
 * browser shell, warns on closing the tab.
 */
let started: Promise<void> | null = null
let pendingNow = 0

export function offline(): Offline {
  return getOffline()
}

export function pendingDeletions(): number {
  return pendingNow
}

export function startOffline(): Promise<void> {
  started ??= (async () => {
    const layer = getOffline()
    let reported = ''
    layer.watchSyncStatus((status) => {
      pendingNow = status.pending
      // Whether a sync runs matters too: an update waits for it before it installs.
      const syncing = status.state === 'syncing'
      const key = `${status.pending}/${syncing}`
      if (key === reported) return
      reported = key
      call('app.reportPending', { deletions: status.pending, syncing }).catch((error: unknown) =>
        // The quit warning then counts what main last heard; the deletions themselves are safe.
        console.warn('Tagdeck: main was not told of pending deletions', error)
      )
    })
    if (platform.shell === 'browser') {
      window.addEventListener('beforeunload', (event) => {
        if (pendingNow === 0) return
        // Browsers show their own text; the deletions are safe in IndexedDB either way.
        event.preventDefault()
      })
    }
    await layer.start()
    await applyCacheCap()
  })()
  return started
}

/**
 * Keeps the pages seen while browsing under the cap from Settings (at startup and when the
 * setting changes); null when there is no cap or eviction failed (logged).
 */
export async function applyCacheCap(capMb = getSettings().cacheCapMb): Promise<EvictResult | null> {
  if (capMb <= 0) return null
  try {
    return await getOffline().evict(capMb * 1024 * 1024)
  } catch (error) {
    console.warn('Tagdeck: the offline cache could not be trimmed', error)
    return null
  }
}
