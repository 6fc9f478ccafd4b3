import 'fake-indexeddb/auto'
import { afterEach, describe, expect, it } from 'vitest'
import { SignatureQueue, jobSignatures } from './queue'
import type { ThumbAnswer, ThumbHasher } from './hasher'
import { setLogSink } from '../log'
import { createOffline } from '../create'
import { evict } from '../store/evict'
import {
  fakeImageCache,
  makeWorld,
  packedForTest,
  serviceWithJob,
  until
} from '../../../../../testing/offline'

const job = { connectionId: 'c1', jobId: 'j1' }
const other = { connectionId: 'c1', jobId: 'j2' }
const sig = (n: number) => Float32Array.from({ length: 48 }, (_, i) => (i === n % 48 ? 1 : 0))

/** A hasher that answers nothing until the test opens it (then everything), and says which ids it was asked for. */
function heldHasher() {
  const asked: string[][] = []
  let held: (() => void)[] = []
  let open = false
  const answer = (ids: readonly string[]): ThumbAnswer[] =>
    ids.map((sampleId, i) =>
      sampleId.startsWith('bad')
        ? { sampleId, error: 'thumbnail: HTTP 404' }
        : { sampleId, signature: sampleId.startsWith('flat') ? null : sig(i) }
    )
  const hash: ThumbHasher = (_job, ids) => {
    asked.push([...ids])
    return new Promise<ThumbAnswer[]>((resolve) => {
      if (open) resolve(answer(ids))
      else held.push(() => resolve(answer(ids)))
    })
  }
  /** Answers what waits and everything after. */
  const release = async () => {
    open = true
    for (const next of held) next()
    held = []
  }
  /** Holds the next calls again. */
  const hold = () => void (open = false)
  return { hash, asked, release, hold }
}

const logged: string[] = []
setLogSink((what, error) => logged.push(`${what}: ${error instanceof Error ? error.message : ''}`))
afterEach(() => {
  logged.length = 0
})

describe('the signature queue', () => {
  it('takes ids without waiting for the hasher, then stores what it answers (null for a flat image)', async () => {
    const { ctx } = makeWorld()
    const hasher = heldHasher()
    const queue = new SignatureQueue(ctx.db, hasher.hash)
    queue.add(job, ['s1', 'flat2', 's3'])
    expect(await ctx.db.signatures.count()).toBe(0)
    await hasher.release()
    await queue.idle()
    const known = await queue.known(job)
    expect([...known.keys()].sort()).toEqual(['flat2', 's1', 's3'])
    expect(known.get('flat2')).toBeNull()
    expect(known.get('s1')).toEqual(sig(0))
    // One row for the batch, as a download stores a chunk's (a row each cost several times as much).
    expect(await ctx.db.signaturePacks.count()).toBe(1)
    expect(await ctx.db.signatures.count()).toBe(0)
  })

  it('logs the thumbnails it could not read, stores the rest, and fills the missing ones later', async () => {
    const { ctx } = makeWorld()
    const hasher = heldHasher()
    const queue = new SignatureQueue(ctx.db, hasher.hash)
    queue.add(job, ['s1', 'bad2'])
    await hasher.release()
    await queue.idle()
    expect(logged).toEqual([
      'thumbnails could not be read for their near-duplicate signatures: 1 of 2, first bad2: thumbnail: HTTP 404'
    ])
    expect([...(await queue.known(job)).keys()]).toEqual(['s1'])
    expect(await queue.fill(job, ['s1', 'bad2', 's3'])).toBe(2)
    expect(hasher.asked.at(-1)).toEqual(['bad2', 's3'])
    await hasher.release()
    await queue.idle()
  })

  it('stays bounded: behind a slow hasher the oldest waiting ids are dropped, said, and filled later', async () => {
    const { ctx } = makeWorld()
    const hasher = heldHasher()
    const queue = new SignatureQueue(ctx.db, hasher.hash)
    const ids = Array.from({ length: 25_000 }, (_, i) => `s${i}`)
    for (let i = 0; i < ids.length; i += 1000) queue.add(job, ids.slice(i, i + 1000))
    expect(logged.some((l) => l.startsWith('near-duplicate signatures fell behind'))).toBe(true)
    await hasher.release()
    await queue.idle()
    const stored = (await queue.known(job)).size
    expect(stored).toBeLessThan(ids.length)
    hasher.hold()
    expect(await queue.fill(job, ids)).toBe(ids.length - stored)
    await hasher.release()
    await queue.idle()
    expect((await queue.known(job)).size).toBe(ids.length)
  })

  it('fills no more than the bound leaves room for, dropping and saying nothing, however often asked', async () => {
    const { ctx } = makeWorld()
    const hasher = heldHasher()
    const queue = new SignatureQueue(ctx.db, hasher.hash)
    const ids = Array.from({ length: 50_000 }, (_, i) => `s${i}`)
    expect(await queue.fill(job, ids)).toBe(20_000)
    // Room again only for the batch the hasher took (held) from those waiting.
    const second = await queue.fill(job, ids)
    expect(second).toBeLessThanOrEqual(200)
    expect(await queue.fill(job, ids)).toBe(0)
    expect(logged).toEqual([])
    await hasher.release()
    await queue.idle()
    expect((await queue.known(job)).size).toBe(20_000 + second)
    expect(await queue.fill(job, ids)).toBe(20_000)
    expect(logged).toEqual([])
  })

  it('leaves out of a fill what it stored, without reading the job’s signatures', async () => {
    const { ctx } = makeWorld()
    const hasher = heldHasher()
    const queue = new SignatureQueue(ctx.db, hasher.hash)
    queue.add(job, ['s1', 's2'])
    await hasher.release()
    await queue.idle()
    let reads = 0
    ctx.db.signaturePacks.hook('reading', (row) => {
      reads += 1
      return row
    })
    // A grouping read before these were stored still says they are missing.
    expect(await queue.fill(job, ['s1', 's2', 's3'])).toBe(1)
    expect(hasher.asked.at(-1)).toEqual(['s3'])
    expect(reads).toBe(0)
    await queue.idle()
  })

  it('waits while the reviewer works, and goes on by itself once they are still', async () => {
    const { ctx } = makeWorld()
    const hasher = heldHasher()
    await hasher.release()
    let busyUntil = performance.now() + 150
    const queue = new SignatureQueue(
      ctx.db,
      hasher.hash,
      () => false,
      () => Math.max(0, Math.ceil(busyUntil - performance.now()))
    )
    queue.add(job, ['s1'])
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(hasher.asked).toEqual([])
    // Another key meanwhile: later still.
    busyUntil = performance.now() + 150
    await new Promise((resolve) => setTimeout(resolve, 120))
    expect(hasher.asked).toEqual([])
    await until(async () => hasher.asked.length === 1, 'the batch went once the reviewer was still')
    await queue.idle()
    expect((await queue.known(job)).size).toBe(1)
  })

  it('forgets a job: its waiting ids, answers still on their way and stored signatures', async () => {
    const { ctx } = makeWorld()
    const hasher = heldHasher()
    const queue = new SignatureQueue(ctx.db, hasher.hash)
    queue.add(other, ['o1'])
    await hasher.release()
    await queue.idle()
    hasher.hold()
    queue.add(job, ['s1'])
    await queue.forget(job)
    await hasher.release()
    await queue.idle()
    expect(await jobSignatures(ctx.db, job).count()).toBe(0)
    expect(await jobSignatures(ctx.db, other).count()).toBe(1)
  })
})

describe('signatures as "Make available offline" caches thumbnails', () => {
  it('come with each chunk main caches and are stored with it (nothing asked of the hasher); removing the job drops them', async () => {
    const w = makeWorld({ service: serviceWithJob(250) })
    const stored = fakeImageCache(w.service)
    const hasher = heldHasher()
    const asked: boolean[] = []
    w.service.on('images.prefetch', async (i) => {
      asked.push(i.signatures === true)
      for (const id of i.sampleIds) stored.add(`${i.variant}/${id}`)
      const n = i.sampleIds.length
      const signatures = packedForTest(
        i.sampleIds.map((id) => (id === 's00007' ? null : Array.from(sig(n)))),
        i.sampleIds
      )
      return { done: n, failed: 0, bytes: n * 1000, cancelled: false, signatures }
    })
    const offline = createOffline({ ...w.ctx, thumbSignatures: hasher.hash })
    await offline.downloads.start(job)
    const row = await w.ctx.db.offlineJobs.get(['c1', 'j1'])
    expect(row?.state).toBe('done')
    expect(asked.length).toBeGreaterThan(0)
    expect(asked.every(Boolean)).toBe(true)
    // Every one is in as soon as the download is (the hasher was never asked).
    const known = await offline.signatures?.known(job)
    expect(known?.size).toBe(250)
    expect(known?.get('s00007')).toBeNull()
    expect(known?.get('s00008')).toEqual(sig(200))
    expect(hasher.asked).toEqual([])
    // A chunk a row: two chunks (200 and 50), not 250 rows.
    expect(await w.ctx.db.signaturePacks.count()).toBe(2)
    expect(await w.ctx.db.signatures.count()).toBe(0)
    await offline.downloads.remove(job)
    expect(await jobSignatures(w.ctx.db, job).count()).toBe(0)
  })

  it('come late when main is still working them out: with a later chunk, or collected once every thumbnail is in, all before the job is available', async () => {
    const w = makeWorld({ service: serviceWithJob(250) })
    // Main answers each chunk without its last thumbnail's signature (still being worked out).
    fakeImageCache(w.service)
    const hasher = heldHasher()
    const offline = createOffline({ ...w.ctx, thumbSignatures: hasher.hash })
    const statesWhenCollected: (string | undefined)[] = []
    const collect = w.service.handlerOf('images.collectSignatures')
    w.service.on('images.collectSignatures', async (input) => {
      statesWhenCollected.push((await w.ctx.db.offlineJobs.get(['c1', 'j1']))?.state)
      return collect(input)
    })
    await offline.downloads.start(job)
    expect((await w.ctx.db.offlineJobs.get(['c1', 'j1']))?.state).toBe('done')
    expect(statesWhenCollected).toEqual(['running'])
    const known = await offline.signatures?.known(job)
    expect(known?.size).toBe(250)
    // The first chunk's last one came with the second chunk; the second's, collected.
    expect([...(known?.keys() ?? [])].sort()).toEqual(
      Array.from({ length: 250 }, (_, i) => `s${String(i).padStart(5, '0')}`)
    )
    expect(await w.ctx.db.signaturePacks.count()).toBe(3)
    expect(hasher.asked).toEqual([])
  })

  it('are not asked of main when the window makes none', async () => {
    const w = makeWorld({ service: serviceWithJob(120) })
    fakeImageCache(w.service)
    const offline = createOffline(w.ctx)
    await offline.downloads.start(job)
    expect((await w.ctx.db.offlineJobs.get(['c1', 'j1']))?.state).toBe('done')
    expect(await jobSignatures(w.ctx.db, job).count()).toBe(0)
  })

  it('go with the pages when eviction drops a job not held offline', async () => {
    const w = makeWorld()
    await w.ctx.db.pages.put({
      ...job,
      filterKey: 'everything',
      perPage: 100,
      page: 1,
      sampleIds: [],
      samples: [],
      fetchedAt: 0,
      lastUsedAt: 0,
      bytes: 1000
    })
    await w.ctx.db.signatures.put({ ...job, sampleId: 's1', signature: sig(1) })
    await evict(w.ctx.db, 0)
    await until(async () => (await jobSignatures(w.ctx.db, job).count()) === 0, 'signatures gone')
  })
})
