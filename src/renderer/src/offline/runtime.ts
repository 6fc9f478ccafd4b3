import { call, platform } from '../platform'
import { ConnectivityTracker } from './connectivity'
import { getDb } from './db'
import { defaultLocks, systemClock, type EventSource } from './deps'
import { createOffline, type Offline } from './index'

/** The app's offline layer: the real database, `call`, main's events and Web Locks. */
let instance: Offline | null = null

export function getOffline(): Offline {
  if (instance) return instance
  const events: EventSource = {
    onConnectivity: (listener) => platform.on('connectivity', listener),
    onPrefetchProgress: (listener) => platform.on('images.progress', listener)
  }
  instance = createOffline({
    db: getDb(),
    transport: call,
    clock: systemClock,
    random: Math.random,
    connectivity: new ConnectivityTracker(call, events, 5_000),
    events,
    locks: defaultLocks(),
    revalidateAfterMs: 10_000
  })
  return instance
}
