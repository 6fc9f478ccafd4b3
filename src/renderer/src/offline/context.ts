import type { ConnectivityTracker } from './sync/connectivity'
import type { TagdeckDb } from './store/db'
import type { Clock } from '../../../shared/clock'
import type { EventSource, LockRunner, Transport } from './deps'
import type { ThumbHasher } from './signatures/hasher'
import type { Findings } from './replica/findings'

/** Everything the offline layer runs on; `runtime.ts` builds the real one, tests a fake one. */
export interface OfflineContext {
  db: TagdeckDb
  transport: Transport
  clock: Clock
  /** In [0, 1): jitter for retries. */
  random: () => number
  connectivity: ConnectivityTracker
  events: EventSource
  locks: LockRunner
  /** A cached page older than this is refreshed in the background when the service is reachable. */
  revalidateAfterMs: number
  /** Near-duplicate signatures of cached thumbnails, off the UI thread (absent: none made). */
  thumbSignatures?: ThumbHasher
  /** Where the problem checks and near-duplicate grouping run (absent: on this thread, in slices). */
  findings?: Findings
  /**
   * How long until the reviewer has been still for a moment (0: now); background work that is
   * not theirs (filling in near-duplicate signatures) waits that long. Absent: never waits.
   */
  untilQuiet?: () => number
}
