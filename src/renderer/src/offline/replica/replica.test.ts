import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { ChannelInput } from '../../../../shared/ipc'
import { createOffline } from '../create'
import { loadReplica } from './replica'
import { FakeService, makeSample, makeWorld, until } from '../../../../../testing/offline'

const job = { connectionId: 'c1', jobId: 'j1' }
const REVALIDATE = 5 * 60_000

function world(n = 250) {
  const w = makeWorld()
  w.service.addJob(
    'c1',
    'j1',
    Array.from({ length: n }, (_, i) => makeSample(i))
  )
  const offline = createOffline(w.ctx, { replicaRevalidateMs: REVALIDATE })
  return { ...w, offline }
}

const prefetchedIds = (service: FakeService) =>
  service.calls
    .filter((c) => c.channel === 'images.prefetch')
    .flatMap((c) => (c.input as ChannelInput<'images.prefetch'>).sampleIds)

describe('the replica of a job held whole', () => {
  it('is read at once online, and a due refresh brings in added, removed and changed samples and only the new images', async () => {
    const w = world()
    await w.offline.downloads.start(job)
    expect(prefetchedIds(w.service)).toHaveLength(250)
    const before = w.service.calls.length

    // On the service meanwhile: two added at the end, one removed, one re-tagged.
    const samples = w.service.samples('c1', 'j1')
    samples.push(makeSample(900, ['cat']), makeSample(901, []))
    w.service.removeDirectly('c1', 'j1', [samples[0].id])
    const changed = w.service.samples('c1', 'j1')[5]
    changed.tags = ['zebra']
    changed.boxes = [{ tag: 'zebra', x1: 0, y1: 0, x2: 5, y2: 5 }]

    // Not due yet: the replica answers and nothing is asked of the service.
    const first = await w.offline.readPage({
      ...job,
      filter: { kind: 'everything' },
      page: 1,
      perPage: 100
    })
    expect(first.total).toBe(250)
    expect(w.service.calls.length).toBe(before)

    w.clock.advance(REVALIDATE + 1)
    const stale = await w.offline.readPage({
      ...job,
      filter: { kind: 'tag', tag: 'zebra' },
      page: 1,
      perPage: 10
    })
    expect(stale.total).toBe(0) // answered from the replica at once; the refresh runs behind
    await until(async () => {
      const view = await w.offline.readPage({
        ...job,
        filter: { kind: 'tag', tag: 'zebra' },
        page: 1,
        perPage: 10
      })
      return view.total === 1
    }, 'the refresh')
    await until(async () => prefetchedIds(w.service).length === 252, 'the new images')
    expect(prefetchedIds(w.service).slice(250).sort()).toEqual(
      [makeSample(900).id, makeSample(901).id].sort()
    )

    const everything = await w.offline.readPage({
      ...job,
      filter: { kind: 'everything' },
      page: 3,
      perPage: 100
    })
    expect(everything.total).toBe(251)
    expect(everything.samples.map((s) => s.id).slice(-2)).toEqual([
      makeSample(900).id,
      makeSample(901).id
    ])
    const stats = (await w.offline.readStats(job)).value
    expect(stats.labels.find((l) => l.name === 'zebra')).toMatchObject({ sampleCount: 1, count: 1 })
    expect(stats.all).toBe(251)
  })

  it('hides a queued deletion from every filter and count at once, and a search narrows any filter', async () => {
    const w = world(30)
    await w.offline.downloads.start(job)
    const cats = await w.offline.readPage({
      ...job,
      filter: { kind: 'tag', tag: 'cat' },
      page: 1,
      perPage: 100
    })
    await w.offline.deleteSamples(job, [cats.samples[0].id])
    const after = await w.offline.readPage({
      ...job,
      filter: { kind: 'tag', tag: 'cat' },
      page: 1,
      perPage: 100
    })
    expect(after.total).toBe(cats.total - 1)
    expect((await w.offline.readStats(job)).value.all).toBe(29)

    const search = { nameContains: 'img-1', sort: { by: 'name' as const, dir: 'desc' as const } }
    const found = await w.offline.readPage({
      ...job,
      filter: { kind: 'everything' },
      page: 1,
      perPage: 100,
      search
    })
    const names = found.samples.map((s) => s.name)
    expect(names).toEqual(
      w.service
        .samples('c1', 'j1')
        .filter((s) => s.id !== cats.samples[0].id)
        .map((s) => s.name)
        .filter((n) => n.includes('img-1'))
        .sort((a, b) => b.localeCompare(a, undefined, { numeric: true }))
    )
    const counts = await w.offline.searchCounts(job, { kind: 'everything' }, search)
    expect(counts?.total).toBe(names.length)
    expect(Object.values(counts?.labels ?? {}).reduce((a, b) => a + b, 0)).toBeGreaterThan(0)
  })

  it('a job cached page by page (or for one filter) is no replica: a search says it needs one', async () => {
    const w = world(30)
    await w.offline.downloads.start(job, { filter: { kind: 'tag', tag: 'cat' } })
    expect(await w.offline.hasReplica(job)).toBe(false)
    await expect(
      w.offline.readPage({
        ...job,
        filter: { kind: 'everything' },
        page: 1,
        perPage: 10,
        search: { nameContains: 'x' }
      })
    ).rejects.toMatchObject({
      code: 'offline',
      message: expect.stringMatching(/available offline/)
    })
  })

  it('readers who ask while the replica is being read share the one read after it, not one each in turn', async () => {
    const w = world(300)
    await w.offline.downloads.start(job)
    let reads = 0
    // Each read of the replica starts with its listing's row.
    w.ctx.db.listings.hook('reading', (row) => {
      reads += 1
      return row
    })
    const first = loadReplica(w.ctx.db, job)
    // A burst of readers (the grid, the counts, the viewer after a decision) meanwhile.
    const later = Array.from({ length: 10 }, () => loadReplica(w.ctx.db, job))
    const replicas = await Promise.all([first, ...later])
    expect(replicas.every((r) => r?.samples.length === 300)).toBe(true)
    expect(reads).toBe(2)
    // And the one after them reads again (it may see what they wrote).
    await loadReplica(w.ctx.db, job)
    expect(reads).toBe(3)
  })
})
