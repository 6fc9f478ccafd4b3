import 'fake-indexeddb/auto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Dataset, TagFilter } from '../src/shared/domain'
import { seededRandom as seeded } from '../src/shared/random'
import { startRealWorld, type RealWorld } from './real-world'

/**
 * The replica's promise, as a property: for every filter of a job held whole, the ids it lists,
 * in order, are the service's ids less the deletions still queued, after any sequence of
 * deletions, undos, syncs and changes made on the service by someone else. Real main-process
 * code, the real local service over HTTP, IndexedDB from fake-indexeddb; sequences from a
 * seeded generator (the seed is in the failure's message).
 */

const HOLD_MS = 60_000
let w: RealWorld
let job: { connectionId: string; jobId: string }
let dataset: Dataset

async function serviceIds(filter: TagFilter): Promise<string[]> {
  const ids: string[] = []
  for (let page = 1; ; page++) {
    const got = await w.call('samples.page', { ...job, filter, page, perPage: 100 })
    ids.push(...got.samples.map((s) => s.id))
    if (page * 100 >= got.total || got.samples.length === 0) return ids
  }
}

async function replicaIds(
  filter: TagFilter,
  perPage = 100
): Promise<{ ids: string[]; total: number }> {
  const ids: string[] = []
  for (let page = 1; ; page++) {
    const view = await w.offline.readPage({ ...job, filter, page, perPage })
    expect(view.fromCache).toBe(true)
    ids.push(...view.samples.map((s) => s.id))
    if (page >= view.pageCount) return { ids, total: view.total }
  }
}

async function filters(): Promise<TagFilter[]> {
  const labels = await w.call('jobs.labels', job)
  return [
    { kind: 'everything' },
    { kind: 'tagged' },
    { kind: 'untagged' },
    ...labels.map((l) => ({ kind: 'tag' as const, tag: l.name }))
  ]
}

/** Every filter: the replica's ids equal the service's less what is queued. */
async function expectParity(queued: ReadonlySet<string>, context: string) {
  for (const filter of await filters()) {
    const expected = (await serviceIds(filter)).filter((id) => !queued.has(id))
    const got = await replicaIds(filter, filter.kind === 'tag' ? 7 : 100)
    expect(got.ids, `${context}: ${JSON.stringify(filter)}`).toEqual(expected)
    expect(got.total, `${context}: total of ${JSON.stringify(filter)}`).toBe(expected.length)
  }
}

beforeAll(async () => {
  w = await startRealWorld({ demoSize: 230, offline: { undoWindowMs: HOLD_MS } })
  dataset = w.jobs.find((d) => d.type === 'detection') as Dataset
  job = { connectionId: w.connection.id, jobId: dataset.id }
  await w.offline.downloads.start(job)
}, 120_000)
afterAll(async () => {
  await w?.close()
})

describe('a job held whole (the replica)', () => {
  it('answers every filter as the service would, online and offline, though only one was walked', async () => {
    expect(await w.offline.hasReplica(job)).toBe(true)
    await expectParity(new Set(), 'after the download')
    // Offline (main says the service is unreachable): the same, from IndexedDB alone.
    const state = (s: 'online' | 'offline') =>
      w.ctx.connectivity.set({
        connectionId: job.connectionId,
        state: s,
        since: 0,
        lastError: null
      })
    state('offline')
    try {
      await expectParity(new Set(), 'offline')
    } finally {
      state('online')
    }
  })

  it('keeps parity through random deletions, undos, syncs and a colleague deleting', async () => {
    const seed = Number(process.env.PARITY_SEED ?? 20261205)
    const random = seeded(seed)
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]
    // Deletion ids the outbox gave us, by sample, while they can still be undone.
    const undoable = new Map<string, string>()
    const steps: string[] = []
    for (let step = 0; step < 24; step++) {
      const r = random()
      const filter = pick(await filters())
      if (r < 0.4) {
        const page = await w.offline.readPage({ ...job, filter, page: 1, perPage: 100 })
        if (page.samples.length === 0) continue
        const chosen = [
          ...new Set(
            Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(page.samples).id)
          )
        ]
        const { deletionIds } = await w.offline.deleteSamples(job, chosen)
        chosen.forEach((id, i) => undoable.set(id, deletionIds[i]))
        steps.push(`delete ${chosen.length} of ${JSON.stringify(filter)}`)
      } else if (r < 0.6 && undoable.size > 0) {
        const back = [...undoable.keys()].filter(() => random() < 0.5)
        await w.offline.undo(back.map((id) => undoable.get(id) as string))
        for (const id of back) undoable.delete(id)
        steps.push(`undo ${back.length}`)
      } else if (r < 0.85) {
        w.clock.advance(HOLD_MS + 2_000)
        await w.offline.sync.drain()
        undoable.clear()
        steps.push('sync')
      } else {
        // Someone else deletes an image on the service; the replica learns it by refreshing.
        const theirs = pick(
          (await serviceIds({ kind: 'everything' })).filter((id) => !undoable.has(id))
        )
        await w.call('samples.delete', { ...job, sampleIds: [theirs] })
        expect(await w.offline.refreshReplica(job)).toBe(true)
        steps.push('a colleague deletes one, refresh')
      }
      await expectParity(new Set(undoable.keys()), `seed ${seed}, after ${steps.join(' → ')}`)
    }
    // The sequence tried each kind of step (else the property says less than it claims).
    expect(new Set(steps.map((s) => s.split(' ')[0]))).toEqual(
      new Set(['delete', 'undo', 'sync', 'a'])
    )
    w.clock.advance(HOLD_MS + 2_000)
    await w.offline.sync.drain()
    await expectParity(new Set(), `seed ${seed}, after the last sync`)
    const stats = (await w.offline.readStats(job)).value
    const service = await w.call('jobs.stats', job)
    expect(stats.all).toBe(service.all)
    expect(stats.tagged).toBe(service.tagged)
    expect(stats.untagged).toBe(service.untagged)
    expect(stats.labels.map((l) => [l.name, l.sampleCount, l.count])).toEqual(
      service.labels.map((l) => [l.name, l.sampleCount, l.count])
    )
  }, 120_000)
})
