import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { createOffline } from '../create'
import { makeSample, makeWorld } from '../../../../../testing/offline'
import { seededRandom } from '../../../../shared/random'
import { signatureOf } from './near-duplicates'
import { REGROUP_AFTER_MS } from './near-duplicate-groups'

// The problem finder and the near-duplicate groups through the offline layer, on a real
// (fake-indexeddb) database; in Node there are no workers, so the findings run on this thread,
// the same functions the app's worker runs.

const job = { connectionId: 'c1', jobId: 'j1' }
const id = (i: number) => makeSample(i).id

async function world(n: number) {
  const w = makeWorld()
  w.service.addJob(
    'c1',
    'j1',
    Array.from({ length: n }, (_, i) => makeSample(i))
  )
  const offline = createOffline(w.ctx)
  await offline.downloads.start(job)
  return { ...w, offline }
}

describe('the findings of a job held whole', () => {
  it('follow the versions of the job: a deletion and its undo change the counts', async () => {
    const w = await world(300)
    // makeSample leaves every third image untagged.
    expect((await w.offline.problemCounts(job))?.untagged).toBe(100)
    const queued = await w.offline.deleteSamples(job, [id(0), id(3)], 60_000)
    expect((await w.offline.problemCounts(job))?.untagged).toBe(98)
    expect(await w.offline.sampleProblems(job, id(6))).toEqual({ kinds: ['untagged'], boxes: [] })
    expect(await w.offline.sampleProblems(job, id(0))).toBeNull()
    await w.offline.undo(queued.deletionIds)
    expect((await w.offline.problemCounts(job))?.untagged).toBe(100)
  })

  it('group the stored signatures of the visible images, again after a deletion and as more come in', async () => {
    const w = await world(30)
    const next = seededRandom(5)
    const image = () => Array.from({ length: 64 }, (_, i) => (i % 4 === 3 ? 255 : next() * 255))
    const copy = (rgba: number[]) => rgba.map((v, i) => (i % 4 === 3 ? v : v + next() * 4 - 2))
    const a = image()
    const b = image()
    const rows = Array.from({ length: 29 }, (_, i) => ({
      ...job,
      sampleId: id(i),
      // 0 and 1 copies of one image, 2 and 3 of another, 4 flat, the rest unrelated.
      signature:
        i === 4
          ? null
          : signatureOf(i === 0 ? a : i === 1 ? copy(a) : i === 2 ? b : i === 3 ? copy(b) : image())
    }))
    await w.ctx.db.signatures.bulkPut(rows)

    const first = await w.offline.nearDuplicates(job)
    expect(first?.groups).toEqual([
      [id(0), id(1)],
      [id(2), id(3)]
    ])
    expect(first?.missing).toBe(1)

    // A verdict makes a new version of the job's images, not new groups: they stand as they are.
    await w.offline.judge(
      job,
      { id: id(5), name: 'five' },
      { stage: 'review', accept: true, comment: '', score: 'A' },
      60_000
    )
    const shown = await w.offline.readPage({
      ...job,
      filter: { kind: 'everything' },
      page: 1,
      perPage: 100
    })
    expect(shown.samples.find((s) => s.id === id(5))?.verdict?.accept).toBe(true)
    expect((await w.offline.nearDuplicates(job))?.groups).toBe(first?.groups)

    // A deletion changes the images: grouped again at once.
    await w.offline.deleteSamples(job, [id(1)], 60_000)
    expect((await w.offline.nearDuplicates(job))?.groups).toEqual([[id(2), id(3)]])

    // A signature coming in: grouped again once the last grouping is REGROUP_AFTER_MS old.
    await w.ctx.db.signatures.put({ ...job, sampleId: id(29), signature: signatureOf(copy(b)) })
    expect((await w.offline.nearDuplicates(job))?.groups).toEqual([[id(2), id(3)]])
    w.clock.advance(REGROUP_AFTER_MS)
    const later = await w.offline.nearDuplicates(job)
    expect(later?.groups).toEqual([[id(2), id(3), id(29)]])
    expect(later?.missing).toBe(0)
    expect((await w.offline.problemCounts(job))?.nearDuplicate).toBe(3)
  })
})
