import { useEffect, useState } from 'react'
import type { UpdateState } from '../../../shared/updates'
import { log } from '../log'
import { call, platform } from '../platform'
import { getSettings } from '../settings'

/**
 * The app's own update, as main decides it (src/main/updater): main checks only while the
 * Settings switch is on, so the renderer tells it at start and on every change.
 */
export async function configureUpdates(
  enabled = getSettings().checkForUpdates
): Promise<UpdateState | null> {
  try {
    return await call('updates.configure', { enabled })
  } catch (error) {
    log.warn('main was not told whether to check for updates', error)
    return null
  }
}

/** The user's answer to a downloaded update: main installs only once no deletion waits. */
export function respondToUpdate(install: boolean): Promise<UpdateState> {
  return call('updates.respond', { install })
}

/** The update's state, kept current by main's `updates.state` events; null until known. */
export function useUpdateState(): UpdateState | null {
  const [state, setState] = useState<UpdateState | null>(null)
  useEffect(() => {
    let live = true
    const off = platform.on('updates.state', (next) => setState(next))
    call('updates.state').then(
      (first) => {
        if (live) setState((seen) => seen ?? first)
      },
      (error: unknown) => log.warn('the update state could not be read', error)
    )
    return () => {
      live = false
      off()
    }
  }, [])
  return state
}
