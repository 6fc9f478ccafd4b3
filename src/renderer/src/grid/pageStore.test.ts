import { describe, expect, it } from 'vitest'
import type { Sample, SamplePage } from '../../../shared/domain'
import { PageStore } from './pageStore'

const sample = (i: number): Sample => ({
  id: `s${i}`,
  name: `${i}.jpg`,
  tags: [],
  boxes: [],
  size: null,
  annotated: false,
  time: i,
  bytes: null
})

function fakeService(total: number, perPage = 10) {
  const calls: number[] = []
  const pending: { page: number; resolve: () => void; fail: (e: Error) => void }[] = []
  const load = (page: number) =>
    new Promise<SamplePage>((resolve, reject) => {
      calls.push(page)
      const start = (page - 1) * perPage
      const samples = Array.from(
        { length: Math.max(0, Math.min(perPage, total - start)) },
        (_, k) => sample(start + k)
      )
      pending.push({
        page,
        resolve: () => resolve({ total, page, perPage, samples }),
        fail: reject
      })
    })
  const flush = async () => {
    while (pending.length) {
      pending.shift()!.resolve()
      await Promise.resolve()
      await Promise.resolve()
    }
  }
  return { load, calls, pending, flush }
}

describe('PageStore', () => {
  it('loads wanted pages most urgent first, a few at a time', async () => {
    const svc = fakeService(1000)
    const store = new PageStore(svc.load, { perPage: 10, concurrency: 2 })
    store.want([5, 6, 4])
    expect(svc.calls).toEqual([5, 6])
    await svc.flush()
    expect(svc.calls).toEqual([5, 6, 4])
    expect(store.sampleAt(45)?.id).toBe('s45')
    expect(store.sampleAt(0)).toBeUndefined()
    expect(store.total).toBe(1000)
  })

  it('does not load a page twice, and drops pages no longer wanted before they start', async () => {
    const svc = fakeService(1000)
    const store = new PageStore(svc.load, { perPage: 10, concurrency: 1 })
    store.want([1, 2, 3])
    store.want([1, 9])
    await svc.flush()
    expect(svc.calls).toEqual([1, 9])
  })

  it('keeps a bounded number of pages, evicting the least recent', async () => {
    const svc = fakeService(1000)
    const store = new PageStore(svc.load, { perPage: 10, maxPages: 3, concurrency: 1 })
    for (const p of [1, 2, 3, 4]) {
      store.want([p])
      await svc.flush()
    }
    expect(store.isLoaded(1)).toBe(false)
    expect(store.isLoaded(4)).toBe(true)
  })

  it('keeps stale pages visible after invalidate and replaces them on reload', async () => {
    const svc = fakeService(100)
    const store = new PageStore(svc.load, { perPage: 10 })
    store.want([1])
    await svc.flush()
    store.invalidate()
    expect(store.sampleAt(3)?.id).toBe('s3')
    expect(store.isLoaded(1)).toBe(false)
    store.want([1])
    await svc.flush()
    expect(store.isLoaded(1)).toBe(true)
    expect(svc.calls).toEqual([1, 1])
  })

  it('discards a read that started before an invalidate and reads again', async () => {
    const svc = fakeService(100)
    const store = new PageStore(svc.load, { perPage: 10 })
    store.want([2])
    store.invalidate()
    store.want([2])
    await svc.flush()
    expect(svc.calls).toEqual([2, 2])
    expect(store.isLoaded(2)).toBe(true)
  })

  it('shows a page read before an invalidate while it reads it again, however often the job changes', async () => {
    const svc = fakeService(100)
    const store = new PageStore(svc.load, { perPage: 10 })
    // Every read comes after another change: none is ever current.
    store.want([2])
    for (let i = 0; i < 5; i++) {
      store.invalidate()
      svc.pending.shift()?.resolve()
      for (let k = 0; k < 4; k++) await Promise.resolve()
    }
    expect(store.sampleAt(12)?.id).toBe('s12')
    expect(store.total).toBe(100)
    // Stale: still read again until a read outlives the changes.
    expect(store.isLoaded(2)).toBe(false)
    expect(svc.calls).toEqual([2, 2, 2, 2, 2, 2])
    await svc.flush()
    expect(store.isLoaded(2)).toBe(true)
  })

  it('reports failures and retries them', async () => {
    const svc = fakeService(100)
    const store = new PageStore(svc.load, { perPage: 10 })
    store.want([1])
    svc.pending.shift()!.fail(new Error('boom'))
    await Promise.resolve()
    await Promise.resolve()
    expect((store.error as Error).message).toBe('boom')
    store.want([1])
    expect(svc.calls).toEqual([1])
    store.retry()
    await svc.flush()
    expect(store.error).toBeNull()
    expect(store.isLoaded(1)).toBe(true)
  })

  it('ensure() resolves once a whole range is loaded', async () => {
    const svc = fakeService(100)
    const store = new PageStore(svc.load, { perPage: 10 })
    let done = false
    const ready = store.ensure(5, 34).then(() => (done = true))
    expect(done).toBe(false)
    await svc.flush()
    await ready
    expect(done).toBe(true)
    expect([1, 2, 3, 4].every((p) => store.isLoaded(p))).toBe(true)
    await store.ensure(0, 9) // already there: no call
    expect(svc.calls.length).toBe(4)
  })

  it('notifies subscribers on every change', async () => {
    const svc = fakeService(100)
    const store = new PageStore(svc.load, { perPage: 10 })
    let heard = 0
    const off = store.subscribe(() => heard++)
    store.want([1])
    await svc.flush()
    expect(heard).toBe(1)
    off()
    store.invalidate()
    expect(heard).toBe(1)
  })
})
