import { systemClock, type Clock } from '../../shared/clock'
import type { UpdateState } from '../../shared/updates'
import type { SyncActivity, UpdaterAdapter, UpdaterEvent } from './adapter'

/** A check a minute after the user's setting is known (not in the way of start-up), then daily-ish. */
export const FIRST_CHECK_MS = 60_000
export const CHECK_EVERY_MS = 6 * 60 * 60_000

export interface UpdateControllerOptions {
  /** Null for a build without a release feed: it never checks. */
  adapter: UpdaterAdapter | null
  /** The renderer's last report of its outbox (pending deletions, a sync running). */
  activity: () => SyncActivity
  emit: (state: UpdateState) => void
  clock?: Clock
  log?: { info(message: string): void; warn(message: string, detail?: unknown): void }
}

/**
 * The update decisions, free of Electron: check only with a feed and the setting on, download
 * in the background, install only when the user says so, and never while deletions wait or a
 * sync runs (the install waits for the renderer to report the outbox idle).
 */
export class UpdateController {
  private current: UpdateState
  private enabled = false
  private timer: unknown = null
  private readonly clock: Clock
  private readonly unsubscribe: () => void

  constructor(private readonly options: UpdateControllerOptions) {
    this.clock = options.clock ?? systemClock
    this.current = options.adapter ? { phase: 'off' } : { phase: 'unavailable' }
    this.unsubscribe = options.adapter?.subscribe((event) => this.onUpdater(event)) ?? (() => {})
  }

  state(): UpdateState {
    return this.current
  }

  /** The Settings switch, as the renderer reports it at start and on every change. */
  setEnabled(enabled: boolean): UpdateState {
    if (!this.options.adapter) return this.current
    if (enabled === this.enabled) return this.current
    this.enabled = enabled
    this.cancelTimer()
    if (!enabled) {
      // Off means off: a download already made stays unused, an accepted install is called off.
      this.set({ phase: 'off' })
      return this.current
    }
    this.set({ phase: 'idle', checkedAt: null })
    this.schedule(FIRST_CHECK_MS)
    return this.current
  }

  /** The user's answer to "install now?": yes installs (when the outbox is idle), no keeps it. */
  respond(install: boolean): UpdateState {
    const state = this.current
    if (state.phase !== 'ready' && state.phase !== 'waiting') return state
    if (!install) {
      this.set({ phase: 'ready', version: state.version, declined: true })
      return this.current
    }
    this.tryInstall(state.version)
    return this.current
  }

  /** The renderer reported its outbox: an install that waited for it may go ahead. */
  activityChanged(): void {
    const state = this.current
    if (state.phase === 'waiting') this.tryInstall(state.version)
  }

  /** Checks now (the timer's job; also for tests). Does nothing when off or without a feed. */
  async checkNow(): Promise<void> {
    const adapter = this.options.adapter
    if (!adapter || !this.enabled) return
    // One at a time, and nothing to look for while a release waits to be installed.
    if (['checking', 'downloading', 'ready', 'waiting', 'installing'].includes(this.current.phase))
      return
    this.set({ phase: 'checking' })
    try {
      await adapter.check()
      if (this.current.phase === 'checking')
        this.set({ phase: 'idle', checkedAt: this.clock.now() })
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error))
    }
  }

  close(): void {
    this.cancelTimer()
    this.unsubscribe()
  }

  private tryInstall(version: string): void {
    const activity = this.options.activity()
    const busy = !activity.reported || activity.pendingDeletions > 0 || activity.syncing
    if (busy) {
      this.set({
        phase: 'waiting',
        version,
        pendingDeletions: activity.pendingDeletions,
        syncing: activity.syncing || !activity.reported
      })
      return
    }
    this.set({ phase: 'installing', version })
    this.options.log?.info(`installing Tagdeck ${version}`)
    this.options.adapter?.quitAndInstall()
  }

  private onUpdater(event: UpdaterEvent): void {
    if (!this.enabled) return
    const phase = this.current.phase
    // Once downloaded, the user's answer is all that moves it on.
    if (phase === 'ready' || phase === 'waiting' || phase === 'installing') return
    switch (event.kind) {
      case 'available':
        this.set({ phase: 'downloading', version: event.version, percent: 0 })
        break
      case 'progress':
        if (phase === 'downloading')
          this.set({ ...this.current, percent: Math.min(100, Math.max(0, event.percent)) })
        break
      case 'downloaded':
        this.set({ phase: 'ready', version: event.version, declined: false })
        break
      case 'not-available':
        this.set({ phase: 'idle', checkedAt: this.clock.now() })
        break
      case 'error':
        this.fail(event.message)
        break
    }
  }

  private fail(message: string): void {
    this.options.log?.warn(`update check failed: ${message}`)
    this.set({ phase: 'error', message })
  }

  private schedule(ms: number): void {
    this.cancelTimer()
    this.timer = this.clock.setTimeout(() => {
      this.timer = null
      void this.checkNow().finally(() => {
        if (this.enabled) this.schedule(CHECK_EVERY_MS)
      })
    }, ms)
  }

  private cancelTimer(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer)
    this.timer = null
  }

  private set(state: UpdateState): void {
    this.current = state
    this.options.emit(state)
  }
}
