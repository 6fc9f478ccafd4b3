/**
 * What the update logic needs from an updater: electron-updater in a packaged build
 * (src/main/electron/updater.ts), a fake in tests. Nothing here imports electron.
 */
export type UpdaterEvent =
  | { kind: 'available'; version: string }
  | { kind: 'not-available' }
  | { kind: 'progress'; percent: number }
  | { kind: 'downloaded'; version: string }
  | { kind: 'error'; message: string }

export interface UpdaterAdapter {
  /** Asks the feed for a newer release; one found is downloaded (events say how it goes). */
  check(): Promise<void>
  /** Quits, installs the downloaded release and starts it. Only after `downloaded`. */
  quitAndInstall(): void
  /** Subscribes to what the updater reports; answers the unsubscribe. */
  subscribe(listener: (event: UpdaterEvent) => void): () => void
}

/** What the renderer last reported of its outbox: an update never interrupts a sync. */
export interface SyncActivity {
  /** False until the renderer has reported once: unknown counts as busy. */
  reported: boolean
  pendingDeletions: number
  syncing: boolean
}
