import type { Connectivity } from '../../../../shared/domain'
import type { EventSource, Transport } from '../deps'
import { logFailure } from '../log'

export type ConnectivityState = Connectivity['state']

/**
 * Main's view of which connections are reachable, kept current from the `connectivity` event.
 * `navigator.onLine` is never consulted: main decides (request outcomes plus a probe).
 */
export class ConnectivityTracker {
  private readonly states = new Map<string, Connectivity>()
  private readonly listeners = new Set<(c: Connectivity) => void>()
  private off: (() => void) | null = null
  private timer: ReturnType<typeof setTimeout> | null = null

  /**
   * `recheckMs`: while some connection is not online, ask main again this often. Events sent
   * while the event stream was down (the browser shell restarted under an open tab) are lost,
   * and a runner that still believes "offline" would never send. 0 turns it off (tests).
   */
  constructor(
    private readonly transport: Transport,
    private readonly events: Pick<EventSource, 'onConnectivity'>,
    private readonly recheckMs = 0
  ) {}

  /** Subscribes to the event, then asks for the current states (events win if they race). */
  async start(): Promise<void> {
    if (this.off) return
    this.off = this.events.onConnectivity((c) => this.set(c))
    await this.ask()
    this.scheduleRecheck()
  }

  private async ask(): Promise<void> {
    try {
      for (const c of await this.transport('connectivity.get')) {
        const known = this.states.get(c.connectionId)
        if (!known || known.since <= c.since || known.state !== c.state) this.set(c)
      }
    } catch (error) {
      // Main unreachable from here: the event stream (or the next recheck) will tell us.
      logFailure('connectivity could not be asked of main')(error)
    }
  }

  private scheduleRecheck(): void {
    if (this.recheckMs <= 0 || !this.off) return
    this.timer = setTimeout(() => {
      this.timer = null
      const settled = this.states.size > 0 && this.all().every((c) => c.state === 'online')
      void (settled ? Promise.resolve() : this.ask()).finally(() => this.scheduleRecheck())
    }, this.recheckMs)
  }

  stop(): void {
    this.off?.()
    this.off = null
    if (this.timer !== null) clearTimeout(this.timer)
    this.timer = null
  }

  set(c: Connectivity): void {
    const before = this.states.get(c.connectionId)
    this.states.set(c.connectionId, c)
    if (before?.state === c.state && before.lastError === c.lastError) return
    for (const listener of [...this.listeners]) listener(c)
  }

  state(connectionId: string): ConnectivityState {
    return this.states.get(connectionId)?.state ?? 'unknown'
  }

  get(connectionId: string): Connectivity | null {
    return this.states.get(connectionId) ?? null
  }

  all(): Connectivity[] {
    return [...this.states.values()]
  }

  isOnline(connectionId: string): boolean {
    return this.state(connectionId) === 'online'
  }

  /** Worth trying a request: online, or not known yet (the request itself will tell). */
  mayTry(connectionId: string): boolean {
    return this.state(connectionId) !== 'offline'
  }

  subscribe(listener: (c: Connectivity) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
