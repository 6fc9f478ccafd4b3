import type { Clock } from '../../shared/clock'
import type { UpdateState } from '../../shared/updates'
import type { SyncActivity, UpdaterAdapter } from './adapter'
import { UpdateController } from './controller'

export interface UpdateHost {
  /** Whether the build has a release feed (see feed.ts); without one no updater is made. */
  feed: boolean
  /** Makes the updater: electron-updater in Electron. Called only when there is a feed. */
  adapter?: () => UpdaterAdapter
  activity: () => SyncActivity
  emit: (state: UpdateState) => void
  clock?: Clock
  log?: { info(message: string): void; warn(message: string, detail?: unknown): void }
}

/** The controller for this host: a build without a feed (or an updater) never checks. */
export function createUpdateController(host: UpdateHost): UpdateController {
  const adapter = host.feed && host.adapter ? host.adapter() : null
  return new UpdateController({
    adapter,
    activity: host.activity,
    emit: host.emit,
    clock: host.clock,
    log: host.log
  })
}
