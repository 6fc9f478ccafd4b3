import type { Connectivity } from '../../../shared/domain'
import type { EventSource, Transport } from './deps'

export type ConnectivityState = Connectivity['state']

/**
 * Main's view of which connections are reachable, kept current from the `connectivity` event.
 * `navigator.onLine` is never consulted: main decides (request outcomes plus a probe).
 */
export class ConnectivityTracker {
  private readonly states = new Map<string, Connectivity>()
  private readonly listeners = new Set<(c: Connectivity) => void>()
  private off: (() => void) | null = null

  constructor(
    private readonly transport: Transport,
    private readonly events: Pick<EventSource, 'onConnectivity'>
  ) {}

  /** Subscribes to the event, then asks for the current states (events win if they race). */
  async start(): Promise<void> {
    if (this.off) return
    this.off = this.events.onConnectivity((c) => this.set(c))
    try {
      for (const c of await this.transport('connectivity.get')) {
        const known = this.states.get(c.connectionId)
        if (!known || known.since <= c.since) this.set(c)
      }
    } catch {
      // Main unreachable from here: the event stream will tell us.
    }
  }

  stop(): void {
    this.off?.()
    this.off = null
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
