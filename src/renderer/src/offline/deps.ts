import type { ChannelInput, ChannelName, ChannelOutput } from '../../../shared/ipc'
import type { Connectivity } from '../../../shared/domain'
import type { EventPayload } from '../../../shared/ipc'

/**
 * What the offline layer needs from the outside world, injected so unit tests run with a fake
 * clock, a fake service and fake-indexeddb. `runtime.ts` wires the real ones.
 */

/** The shape of `call` from the platform module. */
export type Transport = <C extends ChannelName>(
  channel: C,
  ...input: ChannelInput<C> extends undefined ? [] : [ChannelInput<C>]
) => Promise<ChannelOutput<C>>

/** Main-to-renderer events the offline layer listens to. */
export interface EventSource {
  onConnectivity(listener: (c: Connectivity) => void): () => void
  onPrefetchProgress(listener: (p: EventPayload<'images.progress'>) => void): () => void
}

/**
 * Runs `task` while holding an exclusive lock named `name` (a Web Lock across windows). Waits
 * for the lock; gives up waiting when `signal` aborts. Resolves when `task` does.
 */
export type LockRunner = (
  name: string,
  signal: AbortSignal,
  task: () => Promise<void>
) => Promise<void>

/** Same-process stand-in for Web Locks: one holder per name, the others wait in order. */
export function createMemoryLocks(): LockRunner {
  const tails = new Map<string, Promise<void>>()
  return async (name, signal, task) => {
    const previous = tails.get(name) ?? Promise.resolve()
    let release = () => {}
    const mine = new Promise<void>((resolve) => (release = resolve))
    const tail = previous.then(() => mine)
    tails.set(name, tail)
    try {
      await Promise.race([
        previous,
        new Promise<void>((_, reject) => {
          if (signal.aborted) reject(signal.reason)
          signal.addEventListener('abort', () => reject(signal.reason), { once: true })
        })
      ])
      if (signal.aborted) return
      await task()
    } catch (error) {
      if (!signal.aborted) throw error
    } finally {
      release()
      if (tails.get(name) === tail) tails.delete(name)
    }
  }
}

interface WebLocks {
  request(
    name: string,
    options: { mode: 'exclusive'; signal: AbortSignal },
    callback: () => Promise<void>
  ): Promise<void>
}

/** Web Locks when the runtime has them (Chromium, Electron), else the in-process stand-in. */
export function defaultLocks(): LockRunner {
  const locks = (globalThis.navigator as { locks?: WebLocks } | undefined)?.locks
  if (!locks) return createMemoryLocks()
  return async (name, signal, task) => {
    try {
      await locks.request(name, { mode: 'exclusive', signal }, task)
    } catch (error) {
      if (!signal.aborted) throw error
    }
  }
}
