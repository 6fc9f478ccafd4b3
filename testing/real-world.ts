import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createMainCore, type MainCore } from '../src/main/core'
import { startServiceWorld, type ServiceWorld } from './local-service'
import type { ChannelInput, ChannelName, ChannelOutput } from '../src/shared/ipc'
import type { ConnectionProfile, Dataset } from '../src/shared/domain'
import { TagdeckError } from '../src/shared/errors'
import type { OfflineContext } from '../src/renderer/src/offline/context'
import {
  createOffline,
  type Offline,
  type OfflineOptions
} from '../src/renderer/src/offline/create'
import { createMemoryLocks, type Transport } from '../src/renderer/src/offline/deps'
import { openTagdeckDb } from '../src/renderer/src/offline/store/db'
import { ConnectivityTracker } from '../src/renderer/src/offline/sync/connectivity'
import { FakeClock, FakeEvents } from './offline'
import { mainHasher } from '../src/renderer/src/offline/signatures/hasher'

/**
 * The renderer's offline layer on the real parts, in Node: the real main-process code
 * (`createMainCore`, as the browser shell runs it) over the real local service (HTTP, its
 * SQLite file), IndexedDB from fake-indexeddb (import 'fake-indexeddb/auto' first). Only the
 * clock is a test's, so undo windows pass when the test says.
 */
export interface RealWorld {
  service: ServiceWorld
  core: MainCore
  connection: ConnectionProfile
  jobs: Dataset[]
  ctx: OfflineContext
  offline: Offline
  clock: FakeClock
  call: Transport
  close(): Promise<void>
}

const ORIGIN = 'app://tagdeck'

export async function startRealWorld(
  options: {
    demoSize?: number
    offline?: OfflineOptions
    /** Near-duplicate signatures of the thumbnails main caches, as the app makes them. */
    signatures?: boolean
  } = {}
): Promise<RealWorld> {
  const service = await startServiceWorld({ demoSize: options.demoSize })
  const userData = await mkdtemp(path.join(tmpdir(), 'tagdeck-real-'))
  const core = await createMainCore({
    version: '0.0.0-test',
    shell: 'browser',
    userDataDir: userData,
    trustedOrigin: (origin) => origin === ORIGIN,
    demoFile: path.join(service.dir, 'service', 'demo.json'),
    net: { sleep: async () => {} }
  })
  const call = (async <C extends ChannelName>(channel: C, ...input: [ChannelInput<C>?]) => {
    const result = await core.router.dispatch(channel, input[0], { origin: ORIGIN })
    if (!result.ok) throw new TagdeckError(result.error)
    return result.value as ChannelOutput<C>
  }) as Transport
  const connection = await call('connections.addDemo')
  const jobs = await call('jobs.list', { connectionId: connection.id })
  const clock = new FakeClock(Date.now())
  const events = new FakeEvents()
  const connectivity = new ConnectivityTracker(call, events)
  connectivity.set({ connectionId: connection.id, state: 'online', since: 0, lastError: null })
  const ctx: OfflineContext = {
    db: openTagdeckDb(`real-${Math.random().toString(36).slice(2)}`),
    transport: call,
    clock,
    random: () => 0.5,
    connectivity,
    events,
    locks: createMemoryLocks(),
    revalidateAfterMs: 10_000,
    ...(options.signatures ? { thumbSignatures: mainHasher(call) } : {})
  }
  const offline = createOffline(ctx, options.offline)
  return {
    service,
    core,
    connection,
    jobs,
    ctx,
    offline,
    clock,
    call,
    async close() {
      await offline.downloads.stopAll()
      ctx.db.close()
      await core.close()
      await service.dispose()
      await rm(userData, { recursive: true, force: true })
    }
  }
}
