import type { EventHub } from './ipc/events'

export type Locale = 'en' | 'zh-CN'

/**
 * What every handler may use. Built by a host (Electron in src/main/index.ts, plain Node in
 * src/main/shell/) from its adapters, so the handlers themselves never import electron.
 */
export interface MainContext {
  version: string
  shell: 'electron' | 'browser'
  /** Where profiles, secrets and the image cache live (Electron's userData, or a temp dir). */
  userDataDir: string
  events: EventHub
  locale: Locale
  /** demo.json written by the local service (`npm start`), offered as a pre-filled connection. */
  demoFile: string | null
  onLocaleChange?: (locale: Locale) => void
  /** Deletions queued in the renderer's outbox and not yet sent (reported over IPC). */
  pendingDeletions: number
  /** A sync is sending deletions now; and whether the renderer has reported its outbox at all. */
  syncing: boolean
  outboxReported: boolean
  /** Called after every outbox report (the update install waits for an idle outbox). */
  onOutboxReport?: () => void
  /** Where the host's log files are (`<userData>/logs`). */
  logsDir: string
  /** Opens a folder in the system's file manager (Electron's shell); absent in the browser shell. */
  openFolder?: (dir: string) => Promise<boolean>
  /** The clock rate limits use; Date.now unless a test sets it. */
  now?: () => number
}
