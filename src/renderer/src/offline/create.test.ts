import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { createOffline } from './create'
import { makeSample, makeWorld, until } from '../../../../testing/offline'

const job = { connectionId: 'c1', jobId: 'j1' }

describe('createOffline', () => {
  it('online: a deletion waits out the undo window, undo inside it keeps the image', async () => {
    const w = makeWorld()
    w.service.addJob(
      'c1',
      'j1',
      Array.from({ length: 20 }, (_, i) => makeSample(i))
    )
    const offline = createOffline(w.ctx, { undoWindowMs: 3_000 })
    await offline.start()
    await until(() => offline.sync.isLeader, 'the runner')
    const [a, b] = w.service.samples('c1', 'j1').map((s) => s.id)

    const kept = await offline.deleteSamples(job, [a])
    const sent = await offline.deleteSamples(job, [b])
    expect((await offline.pendingCounts()).willSync).toBe(2)
    expect(await offline.undo(kept.deletionIds)).toEqual({ removed: kept.deletionIds, tooLate: [] })

    w.clock.advance(2_999)
    await new Promise((r) => setTimeout(r, 30))
    expect(w.service.deleteCalls()).toHaveLength(0)
    // The window is over. Time keeps moving: the runner may have measured its sleep before the
    // clock moved on above and gone to sleep after, a little past the window (a loaded machine).
    await until(async () => {
      w.clock.advance(100)
      return (await offline.pendingCounts()).willSync === 0
    }, 'the sync')
    expect(w.service.deleteCalls()).toEqual([[b]])
    expect(await offline.undo(sent.deletionIds)).toEqual({ removed: [], tooLate: sent.deletionIds })
    expect(w.service.samples('c1', 'j1').map((s) => s.id)).toContain(a)
    await offline.stop()
  })

  it('offline: deletions wait, and go out once main says the service is back', async () => {
    const w = makeWorld({ online: false })
    w.service.addJob(
      'c1',
      'j1',
      Array.from({ length: 20 }, (_, i) => makeSample(i))
    )
    const offline = createOffline(w.ctx, { undoWindowMs: 0 })
    await offline.start()
    await until(() => offline.sync.isLeader, 'the runner')
    const ids = w.service
      .samples('c1', 'j1')
      .slice(0, 5)
      .map((s) => s.id)
    await offline.deleteSamples(job, ids)
    await new Promise((r) => setTimeout(r, 30))
    expect(w.service.deleteCalls()).toHaveLength(0)

    w.events.emitConnectivity('c1', 'online')
    await until(async () => (await offline.pendingCounts()).willSync === 0, 'the sync')
    expect(w.service.deleteCalls().flat()).toEqual(ids)
    await offline.stop()
  })

  it('a grid of any page size reads a job made available offline at 100 a page', async () => {
    const w = makeWorld()
    w.service.addJob(
      'c1',
      'j1',
      Array.from({ length: 230 }, (_, i) => makeSample(i))
    )
    const offline = createOffline(w.ctx, { undoWindowMs: 0 })
    await offline.downloads.start(job)
    const all = w.service.samples('c1', 'j1').map((s) => s.id)
    await offline.deleteSamples(job, [all[0], all[61], all[200]])
    w.ctx.connectivity.set({ connectionId: 'c1', state: 'offline', since: 1, lastError: null })

    const seen: string[] = []
    for (let page = 1; page <= 4; page++) {
      const view = await offline.readPage({
        ...job,
        filter: { kind: 'everything' },
        page,
        perPage: 60
      })
      expect(view).toMatchObject({ total: 227, pageCount: 4, perPage: 60 })
      seen.push(...view.samples.map((s) => s.id))
    }
    expect(seen).toEqual(all.filter((id) => ![all[0], all[61], all[200]].includes(id)))
  })
})
