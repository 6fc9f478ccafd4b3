import type { Sample, TagFilter } from '../../src/shared/domain'
import { createOffline, type Offline } from '../../src/renderer/src/offline/create'
import type { OfflineContext } from '../../src/renderer/src/offline/context'
import { createMemoryLocks, type Transport } from '../../src/renderer/src/offline/deps'
import { systemClock } from '../../src/shared/clock'
import { openTagdeckDb, type TagdeckDb } from '../../src/renderer/src/offline/store/db'
import { storePage } from '../../src/renderer/src/offline/reads/page-store'
import { ConnectivityTracker } from '../../src/renderer/src/offline/sync/connectivity'
import type { LocalSearch } from '../../src/renderer/src/offline/replica/search'
import { TagdeckError } from '../../src/shared/errors'
import { findProblemsInSlices } from '../../src/renderer/src/offline/replica/problems'

/**
 * Measurements for `bench/replica.bench.ts`, run inside Chromium: a job held whole offline
 * (the replica) of `pages` x 100 images, five boxes each over ten labels, read through the
 * real offline layer with the service unreachable. Not part of the app.
 */

const job = { connectionId: 'bench', jobId: 'replica' }
const LABELS = ['car', 'person', 'bike', 'bus', 'truck', 'dog', 'cat', 'sign', 'light', 'tree']
const PER_PAGE = 100

function sample(i: number): Sample {
  // Skewed label use (a few common, a few rare), and one image in 20 untagged.
  const untagged = i % 20 === 0
  const boxes = untagged
    ? []
    : Array.from({ length: 1 + ((i * 7) % 9) }, (_, b) => {
        const tag = LABELS[Math.floor(((i * 31 + b * 17) % 100) ** 2 / 1000)] ?? LABELS[9]
        return { tag, x1: 10 * b, y1: 20, x2: 10 * b + 100, y2: 220 }
      })
  return {
    id: `s${String(i).padStart(7, '0')}`,
    name: `frame-${(i * 7919) % 1_000_003}.jpg`,
    tags: [...new Set(boxes.map((b) => b.tag))],
    boxes,
    size: { width: 1920, height: 1080, depth: 3 },
    annotated: !untagged,
    time: 1_700_000_000_000 + i * 1000,
    bytes: 200_000 + i
  }
}

let db: TagdeckDb | null = null
let offline: Offline | null = null

const unreachable: Transport = (async () => {
  throw new TagdeckError({ code: 'network', message: 'offline (bench)' })
}) as Transport

function layer(database: TagdeckDb): Offline {
  const events = { onConnectivity: () => () => {}, onPrefetchProgress: () => () => {} }
  const connectivity = new ConnectivityTracker(unreachable, events)
  connectivity.set({ connectionId: job.connectionId, state: 'offline', since: 0, lastError: null })
  const ctx: OfflineContext = {
    db: database,
    transport: unreachable,
    clock: systemClock,
    random: Math.random,
    connectivity,
    events,
    locks: createMemoryLocks(),
    revalidateAfterMs: 10_000
  }
  return createOffline(ctx)
}

/** Stores the job as a finished whole-job download would; returns ms. */
export async function build(pages: number): Promise<number> {
  db?.close()
  db = openTagdeckDb(`bench-replica-${Date.now()}`)
  await db.open()
  const started = performance.now()
  const req = { ...job, filter: { kind: 'everything' } as TagFilter, perPage: PER_PAGE }
  for (let p = 1; p <= pages; p++) {
    const samples = Array.from({ length: PER_PAGE }, (_, i) => sample((p - 1) * PER_PAGE + i))
    await storePage(
      db,
      req,
      { total: pages * PER_PAGE, page: p, perPage: PER_PAGE, samples },
      0,
      Date.now()
    )
  }
  const now = Date.now()
  await db.offlineJobs.put({
    ...job,
    pin: 'pinned',
    filter: { kind: 'everything' },
    includeFull: false,
    phase: 'done',
    state: 'done',
    pagesDone: pages,
    pagesTotal: pages,
    imagesDone: pages * PER_PAGE,
    imagesFailed: 0,
    imagesTotal: pages * PER_PAGE,
    bytes: 0,
    startedAt: now,
    updatedAt: now,
    lastError: null
  })
  return performance.now() - started
}

/** A fresh offline layer (nothing in memory, as after a restart). */
export async function restart(): Promise<void> {
  if (!db) throw new Error('build first')
  db.close()
  db = openTagdeckDb(db.name)
  await db.open()
  offline = layer(db)
}

const view = (filter: TagFilter, page: number, search?: LocalSearch) =>
  (offline as Offline).readPage({ ...job, filter, page, perPage: PER_PAGE, search })

/** ms to the first page of a filter (or a search); the first call after `restart` loads it. */
export async function firstPage(filterJson: string, searchJson = ''): Promise<number> {
  const filter = JSON.parse(filterJson) as TagFilter
  const search = searchJson ? (JSON.parse(searchJson) as LocalSearch) : undefined
  const started = performance.now()
  const got = await view(filter, 1, search)
  const ms = performance.now() - started
  if (got.total > 0 && got.samples.length === 0) throw new Error('an empty first page')
  return ms
}

/** ms per page of pages 2..n+1 of a filter, each read once. */
export async function paging(filterJson: string, n: number): Promise<number[]> {
  const filter = JSON.parse(filterJson) as TagFilter
  const times: number[] = []
  for (let p = 2; p <= n + 1; p++) {
    const started = performance.now()
    await view(filter, p)
    times.push(performance.now() - started)
  }
  return times
}

/** ms for the counts of every label: the job's (sidebar) and a search's (beside each choice). */
export async function counts(searchJson: string): Promise<number> {
  const o = offline as Offline
  const started = performance.now()
  const stats = await o.readStats(job)
  const search = await o.searchCounts(
    job,
    { kind: 'everything' },
    JSON.parse(searchJson) as LocalSearch
  )
  const ms = performance.now() - started
  if (stats.value.labels.length < LABELS.length || !search) throw new Error('no counts')
  return ms
}

/** One deletion and the first page read again (the replica re-applies what is hidden). */
export async function deleteOne(index: number): Promise<number> {
  const o = offline as Offline
  const started = performance.now()
  await o.deleteSamples(job, [sample(index).id], 60_000)
  await view({ kind: 'everything' }, 1)
  return performance.now() - started
}

export async function labels(): Promise<string[]> {
  return LABELS
}

/**
 * Every problem check over `pages` x 100 images held in memory, a slice at a time as the app
 * runs it: [ms in all, the longest slice in ms].
 */
export async function problemScan(pages: number): Promise<number[]> {
  const samples = Array.from({ length: pages * PER_PAGE }, (_, i) => sample(i))
  let longest = 0
  let sliceStart = performance.now()
  const started = sliceStart
  const report = await findProblemsInSlices(samples, async () => {
    longest = Math.max(longest, performance.now() - sliceStart)
    await new Promise((resolve) => setTimeout(resolve, 0))
    sliceStart = performance.now()
  })
  const ms = performance.now() - started
  if (report.bySample.size === 0) throw new Error('nothing found')
  return [ms, longest]
}
