import type { Sample } from '../../src/shared/domain'
import type { JobKey } from '../../src/renderer/src/offline/store/db'
import { createOffline, type Offline } from '../../src/renderer/src/offline/index'
import { appContext } from '../../src/renderer/src/offline/runtime'
import { call } from '../../src/renderer/src/platform'
import { labelChange, splitMix, verdictOf } from '../review-changes'

/**
 * Measurements for `bench/review-sync.bench.ts`, run in Chromium on the browser shell's origin:
 * review changes queued through the real offline layer, then sent by its sync runner over the
 * real bridge to the real main-process code and the local service. Not part of the app.
 */

let offline: Offline | null = null
/** Each call to main during a sync: its channel, and when it went and came back (ms from the sync's start). */
let calls: { channel: string; from: number; to: number }[] = []
let syncStart = 0
// No hold: the bench queues everything first, then times the sending alone.
const layer = () => {
  if (offline) return offline
  const ctx = appContext()
  const transport = ctx.transport
  const timed: typeof transport = async (channel, ...input) => {
    const from = performance.now() - syncStart
    try {
      return await transport(channel, ...input)
    } finally {
      calls.push({ channel, from, to: performance.now() - syncStart })
    }
  }
  return (offline = createOffline({ ...ctx, transport: timed }, { undoWindowMs: 0 }))
}

/** Saves the shell's demo service as a connection. */
export async function setup(): Promise<string> {
  return (await call('connections.addDemo')).id
}

/** The task's images, read page by page as the grid reads them (the pages are cached). */
let listed: Map<string, Sample> | null = null

async function sampleById(job: JobKey): Promise<Map<string, Sample>> {
  if (listed) return listed
  const found = new Map<string, Sample>()
  const everything = { kind: 'everything' } as const
  for (let page = 1; ; page++) {
    const view = await layer().readPage({ ...job, filter: everything, page, perPage: 100 })
    for (const s of view.samples) found.set(s.id, s)
    if (page >= view.pageCount) break
  }
  return (listed = found)
}

/**
 * Queues the round's changes of these images (label edits, verdicts, deletions: `splitMix`) as
 * a reviewer would: each label edit and verdict in its own transaction, the deletions as one
 * selection. Returns its time.
 */
export async function queue(job: JobKey, ids: string[]): Promise<number> {
  const byId = await sampleById(job)
  const mix = splitMix(
    ids.map((id) => {
      const sample = byId.get(id)
      if (!sample) throw new Error(`the task's pages do not hold ${id}`)
      return sample
    })
  )
  const started = performance.now()
  for (const sample of mix.labels) {
    const { mine, origins } = labelChange(sample)
    if ((await layer().editLabels(job, sample, mine, origins, 0)) === null)
      throw new Error(`no label edit queued for ${sample.name}`)
  }
  for (const sample of mix.verdicts) {
    const { accept, comment, score } = verdictOf(sample)
    await layer().judge(job, sample, { stage: 'review', accept, comment, score }, 0)
  }
  const deleted = await layer().deleteSamples(
    job,
    mix.deletions.map((s) => s.id),
    0
  )
  if (deleted.deletionIds.length !== mix.deletions.length)
    throw new Error(`queued ${deleted.deletionIds.length} deletions of ${mix.deletions.length}`)
  return performance.now() - started
}

/**
 * Everything queued sent, as the sync runner does it: deletions and review edits side by side,
 * each answer written as it comes, until every answer is stored. The folds that follow are
 * `fold`, timed apart: the changes are on the service by then.
 */
export async function sync() {
  const started = performance.now()
  syncStart = started
  calls = []
  const timed = async <T>(drain: () => Promise<T>): Promise<[T, number]> => {
    const result = await drain()
    return [result, performance.now() - started]
  }
  const [[deletions, deletionsMs], [edits, editsMs]] = await Promise.all([
    timed(() => layer().sync.drain()),
    timed(() => layer().sync.drainEdits())
  ])
  return {
    ms: performance.now() - started,
    deletionsMs,
    editsMs,
    calls: calls.filter((c) => c.channel !== 'app.ping'),
    deletions,
    edits
  }
}

/**
 * What the runner does after its drains: the confirmed deletions and the answered edits folded
 * into the outbox and the cached pages (`foldDeletions`, `foldEdits`); then what is left.
 */
export async function fold() {
  const started = performance.now()
  await layer().sync.foldDeletions()
  await layer().sync.foldEdits()
  return {
    ms: performance.now() - started,
    left: { deletions: await layer().pendingCounts(), edits: await layer().editCounts() }
  }
}
