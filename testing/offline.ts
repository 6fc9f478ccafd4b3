import type { ChannelName, ChannelInput, ChannelOutput } from '../src/shared/ipc'
import type {
  Connectivity,
  DeleteOutcome,
  Sample,
  SamplePage,
  TagFilter
} from '../src/shared/domain'
import { TagdeckError } from '../src/shared/errors'
import type { Clock } from '../src/shared/clock'
import { ConnectivityTracker } from '../src/renderer/src/offline/sync/connectivity'
import type { OfflineContext } from '../src/renderer/src/offline/context'
import { openTagdeckDb, type TagdeckDb } from '../src/renderer/src/offline/store/db'
import { panelRows, type PanelRow } from '../src/renderer/src/offline/outbox/outbox'
import {
  createMemoryLocks,
  type EventSource,
  type Transport
} from '../src/renderer/src/offline/deps'

/**
 * Test doubles for the offline layer: an in-memory annotation service behind a fake
 * transport, a clock that only moves when told, and main's events. Used by the unit tests
 * and the bench; never by the app.
 */

export function makeSample(
  i: number,
  tags: string[] = i % 3 === 0 ? [] : [i % 2 ? 'cat' : 'dog']
): Sample {
  return {
    id: `s${String(i).padStart(5, '0')}`,
    name: `img-${i}.jpg`,
    tags,
    boxes: tags.map((tag) => ({ tag, x1: 1, y1: 1, x2: 10, y2: 10 })),
    size: { width: 640, height: 480, depth: 3 },
    annotated: tags.length > 0,
    time: 1_700_000_000_000 + i,
    bytes: 10_000 + i
  }
}

type Handler<C extends ChannelName> = (input: ChannelInput<C>) => Promise<ChannelOutput<C>>

export const retryable503 = () =>
  new TagdeckError({
    code: 'service',
    message: 'Service unavailable',
    service: {
      httpStatus: 503,
      errorCode: 'ModelArts.0503',
      errorMsg: 'busy',
      requestId: null,
      retryable: true
    }
  })

export const auth401 = () =>
  new TagdeckError({
    code: 'auth',
    message: 'Unauthorized',
    service: {
      httpStatus: 401,
      errorCode: 'APIGW.0301',
      errorMsg: 'token expired',
      requestId: null,
      retryable: false
    }
  })

export const networkDown = () =>
  new TagdeckError({ code: 'network', message: 'connect ECONNREFUSED' })

/** A job's samples on a pretend service, with a log of every call. */
export class FakeService {
  readonly jobs = new Map<string, Sample[]>()
  readonly calls: { channel: ChannelName; input: unknown }[] = []
  /** How many times each sample id was actually deleted (must never exceed 1). */
  readonly deletions = new Map<string, number>()
  /** Return an error to fail the call as a whole, or undefined to let it through. */
  fail: (channel: ChannelName, input: unknown) => Error | undefined = () => undefined
  /** Per-item refusals: sample id -> outcome. */
  readonly refuse = new Map<string, { code: string; message: string }>()
  /** Runs before a delete answers (the service has already applied it). */
  afterDelete: (ids: string[]) => Promise<void> = () => Promise.resolve()

  addJob(connectionId: string, jobId: string, samples: Sample[]) {
    this.jobs.set(`${connectionId}/${jobId}`, [...samples])
  }

  samples(connectionId: string, jobId: string): Sample[] {
    return this.jobs.get(`${connectionId}/${jobId}`) ?? []
  }

  /** Deletes directly on the service, as another user would. */
  removeDirectly(connectionId: string, jobId: string, ids: string[]) {
    const drop = new Set(ids)
    this.jobs.set(
      `${connectionId}/${jobId}`,
      this.samples(connectionId, jobId).filter((s) => !drop.has(s.id))
    )
  }

  deleteCalls(): string[][] {
    return this.calls
      .filter((c) => c.channel === 'samples.delete')
      .map((c) => (c.input as { sampleIds: string[] }).sampleIds)
  }

  page(
    connectionId: string,
    jobId: string,
    filter: TagFilter,
    page: number,
    perPage: number
  ): SamplePage {
    const all = this.samples(connectionId, jobId).filter((s) =>
      filter.kind === 'everything'
        ? true
        : filter.kind === 'tagged'
          ? s.tags.length > 0
          : filter.kind === 'untagged'
            ? s.tags.length === 0
            : s.tags.includes(filter.tag)
    )
    return {
      total: all.length,
      page,
      perPage,
      samples: all.slice((page - 1) * perPage, page * perPage)
    }
  }

  private readonly handlers: { [C in ChannelName]?: Handler<C> } = {
    'samples.page': async (i) => this.page(i.connectionId, i.jobId, i.filter, i.page, i.perPage),
    'samples.get': async (i) => {
      const s = this.samples(i.connectionId, i.jobId).find((x) => x.id === i.sampleId)
      if (!s) throw new TagdeckError({ code: 'not_found', message: 'no such sample' })
      return s
    },
    'samples.delete': async (i) => {
      const key = `${i.connectionId}/${i.jobId}`
      const outcomes: DeleteOutcome[] = []
      for (const id of i.sampleIds) {
        const refusal = this.refuse.get(id)
        if (refusal) {
          outcomes.push({ id, status: 'failed', ...refusal })
          continue
        }
        const list = this.jobs.get(key) ?? []
        const at = list.findIndex((s) => s.id === id)
        if (at < 0) {
          outcomes.push({ id, status: 'gone', code: 'ModelArts.4420' })
          continue
        }
        list.splice(at, 1)
        this.deletions.set(id, (this.deletions.get(id) ?? 0) + 1)
        outcomes.push({ id, status: 'deleted' })
      }
      await this.afterDelete(i.sampleIds)
      return outcomes
    },
    'jobs.stats': async (i) => {
      const all = this.samples(i.connectionId, i.jobId)
      const names = [...new Set(all.flatMap((s) => s.tags))]
      return {
        all: all.length,
        tagged: all.filter((s) => s.tags.length > 0).length,
        untagged: all.filter((s) => s.tags.length === 0).length,
        deleted: 0,
        labels: names.map((name) => ({
          name,
          count: all.flatMap((s) => s.boxes).filter((b) => b.tag === name).length,
          sampleCount: all.filter((s) => s.tags.includes(name)).length
        }))
      }
    },
    'jobs.labels': async () => [
      { name: 'cat', type: 'detection', color: '#ff0000' },
      { name: 'dog', type: 'detection', color: '#00ff00' }
    ],
    'images.prefetch': async (i) => ({
      done: i.sampleIds.length,
      failed: 0,
      bytes: i.sampleIds.length * 1000,
      cancelled: false
    }),
    'images.cancelPrefetch': async () => ({ cancelled: true }),
    'images.collectSignatures': async () => ({
      signatures: { sampleIds: [], values: '' },
      more: false
    }),
    // Main's image cache holds what was asked for (whatever a test's prefetch answered).
    'images.present': async (i) => {
      const asked = new Set(
        this.calls
          .filter((c) => c.channel === 'images.prefetch')
          .map((c) => c.input as ChannelInput<'images.prefetch'>)
          .filter((c) => c.connectionId === i.connectionId && c.variant === i.variant)
          .flatMap((c) => c.sampleIds)
      )
      const missing = i.sampleIds.filter((id) => !asked.has(id))
      return { present: i.sampleIds.length - missing.length, missing }
    },
    'connectivity.get': async () => []
  }

  /** One channel's handler as it is now (to wrap it with `on`). */
  handlerOf<C extends ChannelName>(channel: C): Handler<C> {
    const handler = this.handlers[channel]
    if (!handler) throw new Error(`FakeService: no handler for ${channel}`)
    return handler as Handler<C>
  }

  /** Overrides one channel's handler. */
  on<C extends ChannelName>(channel: C, handler: Handler<C>) {
    ;(this.handlers as Record<string, unknown>)[channel] = handler
  }

  readonly transport: Transport = (async (channel: ChannelName, input?: unknown) => {
    this.calls.push({ channel, input })
    const failure = this.fail(channel, input)
    if (failure) throw failure
    const handler = this.handlers[channel] as ((i: unknown) => Promise<unknown>) | undefined
    if (!handler) throw new Error(`FakeService: no handler for ${channel}`)
    return handler(input)
  }) as Transport
}

/** A clock that moves only in `advance`. */
export class FakeClock implements Clock {
  private timers: { at: number; resolve: () => void }[] = []

  constructor(private t = 1_000_000) {}

  now(): number {
    return this.t
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve()
      const timer = { at: this.t + ms, resolve }
      this.timers.push(timer)
      signal?.addEventListener(
        'abort',
        () => {
          this.timers = this.timers.filter((x) => x !== timer)
          resolve()
        },
        { once: true }
      )
    })
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const timer = { at: this.t + Math.max(0, ms), resolve: fn }
    this.timers.push(timer)
    return timer
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((x) => x !== handle)
  }

  advance(ms: number): void {
    this.t += ms
    const due = this.timers.filter((x) => x.at <= this.t)
    this.timers = this.timers.filter((x) => x.at > this.t)
    for (const timer of due) timer.resolve()
  }
}

export class FakeEvents implements EventSource {
  private readonly connectivity = new Set<(c: Connectivity) => void>()
  private readonly progress = new Set<Parameters<EventSource['onPrefetchProgress']>[0]>()

  onConnectivity(listener: (c: Connectivity) => void) {
    this.connectivity.add(listener)
    return () => this.connectivity.delete(listener)
  }

  onPrefetchProgress(listener: Parameters<EventSource['onPrefetchProgress']>[0]) {
    this.progress.add(listener)
    return () => this.progress.delete(listener)
  }

  emitProgress(payload: Parameters<Parameters<EventSource['onPrefetchProgress']>[0]>[0]) {
    for (const l of this.progress) l(payload)
  }

  emitConnectivity(connectionId: string, state: Connectivity['state'], since = Date.now()) {
    for (const l of this.connectivity) l({ connectionId, state, since, lastError: null })
  }
}

let dbCounter = 0

export interface TestWorld {
  ctx: OfflineContext
  service: FakeService
  clock: FakeClock
  events: FakeEvents
}

/** A fresh database, service and clock; `connectionId` starts online unless told otherwise. */
export function makeWorld(
  options: {
    dbName?: string
    service?: FakeService
    online?: boolean
    connectionId?: string
    random?: () => number
  } = {}
): TestWorld {
  const service = options.service ?? new FakeService()
  const clock = new FakeClock()
  const events = new FakeEvents()
  const connectivity = new ConnectivityTracker(service.transport, events)
  connectivity.set({
    connectionId: options.connectionId ?? 'c1',
    state: options.online === false ? 'offline' : 'online',
    since: 0,
    lastError: null
  })
  const ctx: OfflineContext = {
    db: openTagdeckDb(
      options.dbName ?? `test-${Math.random().toString(36).slice(2)}-${++dbCounter}`
    ),
    transport: service.transport,
    clock,
    random: options.random ?? (() => 0.5),
    connectivity,
    events,
    locks: createMemoryLocks(),
    revalidateAfterMs: 10_000
  }
  return { ctx, service, clock, events }
}

/**
 * Every deletion in the outbox, one per sample (as the panel would show them, unsent). Throws
 * if a group's `size` (which the counts read) is not its number of samples.
 */
export async function deletions(db: TagdeckDb): Promise<PanelRow[]> {
  const groups = await db.outbox.toArray()
  for (const g of groups) {
    if (g.size !== g.keys.length || g.size !== g.samples.length)
      throw new Error(
        `group ${g.id}: size ${g.size}, ${g.keys.length} keys, ${g.samples.length} samples`
      )
  }
  return groups.flatMap((group) => panelRows(group))
}

/** Polls `check` every 5 ms until it holds; fails naming `what` after `tries` polls. */
export async function until(
  check: () => Promise<boolean> | boolean,
  what = 'a condition',
  tries = 500
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return
    await new Promise((r) => setTimeout(r, 5))
  }
  throw new Error(`timed out waiting for ${what}`)
}

/** A fake service holding job c1/j1 of `n` samples (`makeSample(0..n-1)`). */
export function serviceWithJob(n: number): FakeService {
  const service = new FakeService()
  service.addJob(
    'c1',
    'j1',
    Array.from({ length: n }, (_, i) => makeSample(i))
  )
  return service
}

/**
 * Main's image cache as a fake service keeps it: `images.prefetch` stores `variant/id` of every
 * image asked for, `images.present` answers from what is stored. `stored` may outlive the
 * service (a disk cache across a restart).
 */
/** Signatures as main packs them for `images.prefetch` (null: a flat image). */
export function packedForTest(
  signatures: (readonly number[] | null)[],
  sampleIds: string[]
): { sampleIds: string[]; values: string } {
  const values = new Float32Array(signatures.length * 48)
  signatures.forEach((s, i) => s && values.set(s, i * 48))
  let binary = ''
  for (const byte of new Uint8Array(values.buffer)) binary += String.fromCharCode(byte)
  return { sampleIds, values: btoa(binary) }
}

export function fakeImageCache(service: FakeService, stored = new Set<string>()): Set<string> {
  // Asked to, main answers the signatures of the job it has worked out by then, never waiting:
  // here each chunk's last thumbnail's is late, and comes with the job's next answer or when
  // the download collects the rest (`images.collectSignatures`). A distinct one per sample.
  const late = new Map<string, { ids: string[]; values: number[][] }>()
  const lateOf = (job: { connectionId: string; jobId: string }) => {
    const key = `${job.connectionId}/${job.jobId}`
    const held = late.get(key) ?? { ids: [], values: [] }
    late.set(key, held)
    return held
  }
  service.on('images.prefetch', async (i) => {
    for (const id of i.sampleIds) stored.add(`${i.variant}/${id}`)
    const n = i.sampleIds.length
    let signatures: { sampleIds: string[]; values: string } | undefined
    if (i.signatures) {
      const held = lateOf(i)
      const made = i.sampleIds.map((_, k) =>
        Array.from({ length: 48 }, (_, j) => (j === k % 48 ? 1 : 0))
      )
      const ids = [...held.ids.splice(0), ...i.sampleIds.slice(0, -1)]
      const values = [...held.values.splice(0), ...made.slice(0, -1)]
      held.ids.push(...i.sampleIds.slice(-1))
      held.values.push(...made.slice(-1))
      signatures = packedForTest(values, ids)
    }
    return {
      done: n,
      failed: 0,
      bytes: n * 1000,
      cancelled: false,
      ...(signatures ? { signatures } : {})
    }
  })
  service.on('images.collectSignatures', async (job) => {
    const held = lateOf(job)
    return {
      signatures: packedForTest(held.values.splice(0), held.ids.splice(0)),
      more: false
    }
  })
  service.on('images.present', async (i) => {
    const missing = i.sampleIds.filter((id) => !stored.has(`${i.variant}/${id}`))
    return { present: i.sampleIds.length - missing.length, missing }
  })
  return stored
}
