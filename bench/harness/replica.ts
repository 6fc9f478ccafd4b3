import type { Sample, TagFilter } from '../../src/shared/domain'
import { createOffline, type Offline } from '../../src/renderer/src/offline/create'
import type { OfflineContext } from '../../src/renderer/src/offline/context'
import { createMemoryLocks, type Transport } from '../../src/renderer/src/offline/deps'
import { systemClock } from '../../src/shared/clock'
import {
  openTagdeckDb,
  type SignaturePackRow,
  type TagdeckDb
} from '../../src/renderer/src/offline/store/db'
import { packKey } from '../../src/renderer/src/offline/signatures/packs'
import { SIGNATURE_LENGTH } from '../../src/shared/thumb-signature'

/** Signatures a stored row: a download's chunk. */
const PACK = 200
import { storePage } from '../../src/renderer/src/offline/reads/page-store'
import { ConnectivityTracker } from '../../src/renderer/src/offline/sync/connectivity'
import type { LocalSearch } from '../../src/renderer/src/offline/replica/search'
import { TagdeckError } from '../../src/shared/errors'
import {
  inThreadFindings,
  pauseForPage,
  scanProblems,
  type Findings
} from '../../src/renderer/src/offline/replica/findings'
import { workerFindings } from '../../src/renderer/src/offline/replica/worker-findings'
import { demoSignatures } from '../demo-signatures'
import { watchLongTasks, type Watched } from './long-tasks'

/**
 * Measurements for `bench/replica.bench.ts`, run inside Chromium: a job held whole offline
 * (the replica) of `pages` x 100 images, five boxes each over ten labels, read through the
 * real offline layer with the service unreachable; its problem checks and near-duplicate
 * grouping run in the app's findings worker (`useWorker`). Not part of the app.
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
/** The findings worker (none: the checks run on the page, as where there are no workers). */
let findings: Findings | undefined

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
    revalidateAfterMs: 10_000,
    findings
  }
  return createOffline(ctx)
}

/** `script`: the findings worker bundled as one classic script (the app's is built by Vite). */
export async function useWorker(script: string): Promise<void> {
  const url = URL.createObjectURL(new Blob([script], { type: 'text/javascript' }))
  findings = workerFindings(() => new Worker(url))
}

/**
 * Stores the job as a finished whole-job download would, with a near-duplicate signature of
 * every image when `signatures` (demo-like, 1% planted copies); returns ms.
 */
export async function build(pages: number, signatures = false): Promise<number> {
  deleted = Math.floor((pages * PER_PAGE) / 2)
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
  if (signatures) {
    // As a download stores them: a chunk of 200 thumbnails a row (`signatures/packs.ts`).
    const drawn = demoSignatures(pages * PER_PAGE).signatures
    const packs: SignaturePackRow[] = []
    for (let from = 0; from < drawn.length; from += PACK) {
      const chunk = drawn.slice(from, from + PACK)
      const sampleIds = chunk.map((_, k) => sample(from + k).id)
      const values = new Float32Array(chunk.length * SIGNATURE_LENGTH)
      chunk.forEach((signature, k) => values.set(signature, k * SIGNATURE_LENGTH))
      packs.push({ ...job, packId: packKey(sampleIds), sampleIds, values })
    }
    for (let from = 0; from < packs.length; from += 25)
      await db.signaturePacks.bulkPut(packs.slice(from, from + 25))
  }
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

/** The next image to delete (from the middle of the job, past `deleteOne`'s). */
let deleted = 0

/** A new version of the job: one more image deleted, the replica worked out again. */
export async function newVersion(): Promise<void> {
  await (offline as Offline).deleteSamples(job, [sample(deleted++).id], 60_000)
  await view({ kind: 'everything' }, 1)
}

type Timed = Omit<Watched<unknown>, 'value'> & { found: number }

/**
 * The problem finder's report on a new version of the job (`newVersion` first), through the offline
 * layer as the viewer asks for it: packing on the page, the checks in the worker, the report
 * read back on the page; with the page's long tasks meanwhile.
 */
export async function problemScan(): Promise<Timed> {
  const { value, ...watched } = await watchLongTasks(() =>
    (offline as Offline).sampleProblems(job, sample(1).id)
  )
  if (value === null) throw new Error('nothing found on an image with overlapping boxes')
  return { ...watched, found: value.kinds.length }
}

/** The same checks over `pages` x 100 images on the page, a slice at a time (no worker). */
export async function problemScanOnPage(pages: number): Promise<Timed> {
  const samples = Array.from({ length: pages * PER_PAGE }, (_, i) => sample(i))
  const { value, ...watched } = await watchLongTasks(() =>
    scanProblems(samples, inThreadFindings(pauseForPage), pauseForPage)
  )
  return { ...watched, found: value.bySample.size }
}

/**
 * The near-duplicate groups of a new version of the job (`newVersion` first) through the offline layer: its
 * signatures read from IndexedDB, packed, grouped in the worker, read back.
 */
export async function grouping(): Promise<Timed> {
  const { value, ...watched } = await watchLongTasks(async () => {
    const groups = await (offline as Offline).nearDuplicates(job)
    if (!groups) throw new Error('no replica')
    return groups
  })
  if (value.missing > 0) throw new Error(`${value.missing} images have no signature`)
  return { ...watched, found: value.images }
}
