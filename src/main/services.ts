import path from 'node:path'
import type { MainContext } from './context'
import { log } from './log'
import { KeyFileCipher, type SecretCipher } from './connections/cipher'
import type { NetDeps } from './connections/client'
import { syncDemoProfile } from './connections/demo'
import { ClientPool } from './connections/pool'
import { ConnectionStore } from './connections/store'
import type { Clock } from '../shared/clock'
import { ConnectivityMonitor } from './connectivity/monitor'
import { DEFAULT_CACHE_BYTES, ImageCache } from './images/cache'
import { ImageFetcher } from './images/fetcher'
import { PrefetchTasks } from './images/prefetch'

/** Everything the handlers work with, built once per core from the host's adapters. */
export interface MainServices {
  store: ConnectionStore
  cipher: SecretCipher
  pool: ClientPool
  monitor: ConnectivityMonitor
  fetcher: ImageFetcher
  prefetch: PrefetchTasks
  net: NetDeps
  close(): Promise<void>
}

export interface ServiceOptions {
  /** Electron passes its safeStorage adapter; plain Node gets a key file (not OS-protected). */
  cipher?: SecretCipher
  net?: NetDeps
  /** Electron's net.isOnline. */
  isOnline?: () => boolean
  clock?: Clock
  imageCacheBytes?: number
}

export async function createServices(
  context: MainContext,
  options: ServiceOptions
): Promise<MainServices> {
  const cipher = options.cipher ?? new KeyFileCipher(path.join(context.userDataDir, 'secret.key'))
  const net = options.net ?? {}
  const store = await ConnectionStore.open(context.userDataDir, cipher)
  await syncDemoProfile(store, context.demoFile).catch((error: unknown) =>
    log.warn('the demo connection could not be brought up to date', error)
  )
  const cache = await ImageCache.open(path.join(context.userDataDir, 'image-cache'), {
    capBytes: options.imageCacheBytes ?? DEFAULT_CACHE_BYTES
  })
  const monitor = new ConnectivityMonitor({
    emit: (state) => context.events.emit('connectivity', state),
    clock: options.clock,
    osOnline: options.isOnline
  })
  const pool = new ClientPool(store, net, monitor, (id) => void cache.removePrefix(`${id}/`))
  const fetcher = new ImageFetcher({
    cache,
    httpFor: (id) => pool.imageHttp(id),
    resolve: async (ref, signal) => {
      const client = await pool.get(ref.connectionId)
      const source = await client.ops.imageSource(ref.jobId, ref.sampleId, {
        signal
      })
      return new URL(source, client.endpoints.modelarts)
    }
  })
  const prefetch = new PrefetchTasks(fetcher, (progress) =>
    context.events.emit('images.progress', progress)
  )
  return {
    store,
    cipher,
    pool,
    monitor,
    fetcher,
    prefetch,
    net,
    async close() {
      prefetch.cancelAll()
      monitor.close()
      pool.close()
      await cache.close()
    }
  }
}
