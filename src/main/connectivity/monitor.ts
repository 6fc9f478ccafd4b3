import type { Connectivity } from '../../shared/domain'
import { systemClock, type Clock } from '../../shared/clock'
import { backoffDelay } from '../../shared/backoff'

/**
 * Whether each connection's service is reachable, decided in main from two sources: the
 * outcome of every real request, and a light probe. Offline, the probe backs off (1 s, 2 s, 4 s
 * ... up to 30 s, jittered); online, a slow heartbeat notices a dead link while the user is
 * idle. Only state changes are emitted, so the renderer can react to each event.
 */
export type Probe = () => Promise<void>

export interface MonitorOptions {
  emit: (state: Connectivity) => void
  clock?: Clock
  random?: () => number
  /** Electron's net.isOnline(): when the OS says no network, do not bother probing. */
  osOnline?: () => boolean
  minProbeMs?: number
  maxProbeMs?: number
  heartbeatMs?: number
}

interface Entry {
  state: Connectivity['state']
  since: number
  lastError: string | null
  probe: Probe
  timer: unknown
  /** The timer is the online heartbeat (not a backoff probe). */
  beat: boolean
  /** The last sign of life while online: the heartbeat probes only after that long of quiet. */
  heardAt: number
  failures: number
  probing: boolean
}

export class ConnectivityMonitor {
  private readonly entries = new Map<string, Entry>()
  private readonly clock: Clock
  private readonly random: () => number
  private readonly minProbeMs: number
  private readonly maxProbeMs: number
  private readonly heartbeatMs: number

  constructor(private readonly options: MonitorOptions) {
    this.clock = options.clock ?? systemClock
    this.random = options.random ?? Math.random
    this.minProbeMs = options.minProbeMs ?? 1_000
    this.maxProbeMs = options.maxProbeMs ?? 30_000
    this.heartbeatMs = options.heartbeatMs ?? 60_000
  }

  /** Starts (or restarts, after an edit) watching a connection: unknown until the first probe. */
  track(id: string, probe: Probe): void {
    this.untrack(id)
    const entry: Entry = {
      state: 'unknown',
      since: this.clock.now(),
      lastError: null,
      probe,
      timer: null,
      beat: false,
      heardAt: 0,
      failures: 0,
      probing: false
    }
    this.entries.set(id, entry)
    this.schedule(id, entry, 0)
  }

  untrack(id: string): void {
    const entry = this.entries.get(id)
    if (!entry) return
    this.clock.clearTimeout(entry.timer)
    this.entries.delete(id)
  }

  /** A real request's outcome: true when the service answered at all. */
  report(id: string, reachable: boolean, error: string | null = null): void {
    const entry = this.entries.get(id)
    if (!entry) return
    if (reachable) {
      entry.failures = 0
      this.set(id, entry, 'online', null)
      // A heartbeat already waits: it puts itself off when it fires (no timer per request; a
      // download makes thousands of them).
      entry.heardAt = this.clock.now()
      if (!entry.beat) this.heartbeat(id, entry, this.heartbeatMs)
      return
    }
    const wasOffline = entry.state === 'offline'
    this.set(id, entry, 'offline', error)
    // Already offline: the backoff probe is on its way; more failures must not postpone it.
    if (!wasOffline) this.schedule(id, entry, this.backoff(++entry.failures))
  }

  /** Probe now, e.g. when the OS says the network came back. */
  recheck(id?: string): void {
    for (const [key, entry] of this.entries)
      if (id === undefined || key === id) this.schedule(key, entry, 0)
  }

  isOffline(id: string): boolean {
    return this.entries.get(id)?.state === 'offline'
  }

  get(id: string): Connectivity | null {
    const entry = this.entries.get(id)
    return entry ? this.snapshot(id, entry) : null
  }

  all(): Connectivity[] {
    return [...this.entries].map(([id, entry]) => this.snapshot(id, entry))
  }

  close(): void {
    for (const id of [...this.entries.keys()]) this.untrack(id)
  }

  private snapshot(id: string, entry: Entry): Connectivity {
    return { connectionId: id, state: entry.state, since: entry.since, lastError: entry.lastError }
  }

  private set(id: string, entry: Entry, state: Connectivity['state'], error: string | null): void {
    entry.lastError = error
    if (entry.state === state) return
    entry.state = state
    entry.since = this.clock.now()
    this.options.emit(this.snapshot(id, entry))
  }

  private backoff(failures: number): number {
    return backoffDelay(failures, this.random, { baseMs: this.minProbeMs, maxMs: this.maxProbeMs })
  }

  private schedule(id: string, entry: Entry, ms: number): void {
    this.clock.clearTimeout(entry.timer)
    entry.beat = false
    entry.timer = this.clock.setTimeout(() => void this.runProbe(id, entry), ms)
  }

  /**
   * Probes after `ms`, unless the connection was heard from meanwhile (`heardAt`): then once
   * `heartbeatMs` have passed since.
   */
  private heartbeat(id: string, entry: Entry, ms: number): void {
    this.clock.clearTimeout(entry.timer)
    entry.beat = true
    entry.timer = this.clock.setTimeout(() => {
      const quiet = this.clock.now() - entry.heardAt
      if (quiet < this.heartbeatMs && this.entries.get(id) === entry)
        this.heartbeat(id, entry, this.heartbeatMs - quiet)
      else void this.runProbe(id, entry)
    }, ms)
  }

  private async runProbe(id: string, entry: Entry): Promise<void> {
    if (entry.probing) return
    entry.probing = true
    let error: string | null = null
    try {
      if (this.options.osOnline && !this.options.osOnline())
        throw new Error('This computer is offline')
      await entry.probe()
    } catch (caught) {
      error = caught instanceof Error ? caught.message : String(caught)
    } finally {
      entry.probing = false
    }
    // Untracked or replaced while probing: this answer is for a connection that is gone.
    if (this.entries.get(id) !== entry) return
    if (error === null) {
      entry.failures = 0
      this.set(id, entry, 'online', null)
      entry.heardAt = this.clock.now()
      this.heartbeat(id, entry, this.heartbeatMs)
    } else {
      this.set(id, entry, 'offline', error)
      this.schedule(id, entry, this.backoff(++entry.failures))
    }
  }
}
