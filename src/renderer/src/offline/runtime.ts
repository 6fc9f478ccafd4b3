import { call, platform } from '../platform'
import type { OfflineContext } from './context'
import { ConnectivityTracker } from './sync/connectivity'
import { getDb } from './store/db'
import { defaultLocks, type EventSource } from './deps'
import { systemClock } from '../../../shared/clock'
import { log } from '../log'
import { setLogSink } from './log'
import { createOffline, type Offline } from './create'
import { mainHasher } from './signatures/hasher'
import { workerFindings } from './replica/worker-findings'

/** The real world the offline layer runs on: the database, `call`, main's events, Web Locks. */
export function appContext(): OfflineContext {
  // The offline layer's failures go to the app's log file.
  setLogSink((what, error) => log.warn(what, error))
  const events: EventSource = {
    onConnectivity: (listener) => platform.on('connectivity', listener),
    onPrefetchProgress: (listener) => platform.on('images.progress', listener)
  }
  return {
    db: getDb(),
    transport: call,
    clock: systemClock,
    random: Math.random,
    connectivity: new ConnectivityTracker(call, events, 5_000),
    events,
    locks: defaultLocks(),
    revalidateAfterMs: 10_000,
    thumbSignatures: mainHasher(call),
    findings: workerFindings(),
    untilQuiet: quietAfter(QUIET_MS)
  }
}

/** How long the reviewer must have been still before background work goes on. */
const QUIET_MS = 1_000

/**
 * Ms until no key, pointer or wheel event has come for `quietMs` (0: none has, or long ago):
 * the window's own input, heard before anything else handles it.
 */
function quietAfter(quietMs: number): () => number {
  let last = -Infinity
  const heard = () => void (last = performance.now())
  for (const type of ['keydown', 'pointerdown', 'wheel'])
    window.addEventListener(type, heard, { capture: true, passive: true })
  return () => Math.max(0, Math.ceil(last + quietMs - performance.now()))
}

/** The app's offline layer (one per window). */
let instance: Offline | null = null

export function getOffline(): Offline {
  return (instance ??= createOffline(appContext()))
}
