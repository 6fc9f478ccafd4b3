import 'fake-indexeddb/auto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Box, Dataset, Sample } from '../src/shared/domain'
import { labelSetOf, type LabelSet } from '../src/shared/labels'
import { taskJobId } from '../src/shared/job-id'
import { createOffline } from '../src/renderer/src/offline/create'
import { startRealWorld, type RealWorld } from './real-world'

/**
 * Review edits on the real parts: the renderer's offline layer (fake-indexeddb) over the real
 * main-process code and the real local service. Label edits and verdicts show at once in every
 * read, undo until sent, reach the service exactly once in effect (across a crash mid-send and
 * a restart), and never overwrite a colleague.
 */

const HOLD_MS = 60_000
let w: RealWorld
let job: { connectionId: string; jobId: string }

const serviceSample = (sampleId: string, on = job) => w.call('samples.get', { ...on, sampleId })

/** The replica's view of one image (every read of a job held whole comes from it). */
async function shown(sampleId: string): Promise<Sample> {
  for (let page = 1; ; page++) {
    const view = await w.offline.readPage({
      ...job,
      filter: { kind: 'everything' },
      page,
      perPage: 100
    })
    const found = view.samples.find((s) => s.id === sampleId)
    if (found) return found
    if (page >= view.pageCount) throw new Error(`${sampleId} is not in the replica`)
  }
}

async function withBoxes(min: number, skip = new Set<string>()): Promise<Sample[]> {
  const view = await w.offline.readPage({
    ...job,
    filter: { kind: 'tagged' },
    page: 1,
    perPage: 100
  })
  return view.samples.filter((s) => s.boxes.length >= min && !skip.has(s.id))
}

const moved = (b: Box, by: number): Box => ({ ...b, x1: b.x1 + by, x2: b.x2 + by })

/** A colleague's tool (another client) sets an image's boxes on the service, box by box. */
async function colleague(sample: Sample, boxes: Box[]) {
  const [out] = await w.call('samples.updateLabels', {
    ...job,
    edits: [
      {
        sampleId: sample.id,
        base: labelSetOf(sample),
        mine: { tags: labelSetOf(sample).tags, boxes },
        origins: boxes.map((_, i) => (i < sample.boxes.length ? i : null)),
        cleared: false
      }
    ]
  })
  expect(out?.status).toMatch(/updated|merged/)
}

/** Ready to send: the hold passed, then one drain of the edits and their fold, as the runner does. */
async function sync() {
  w.clock.advance(HOLD_MS + 1)
  const counts = await w.offline.sync.drainEdits()
  await w.offline.sync.foldEdits()
  return counts
}

beforeAll(async () => {
  w = await startRealWorld({ demoSize: 120, offline: { undoWindowMs: HOLD_MS } })
  const dataset = w.jobs.find((d) => d.type === 'detection') as Dataset
  job = { connectionId: w.connection.id, jobId: dataset.id }
  await w.offline.downloads.start(job)
}, 120_000)
afterAll(async () => {
  await w?.close()
})

describe('label edits', () => {
  it('show at once in every read and count, undo step by step, and reach the service once', async () => {
    const [sample] = await withBoxes(2)
    if (!sample) throw new Error('no demo image with two boxes')
    const [first, second, ...rest] = sample.boxes as [Box, Box, ...Box[]]
    const drawn: Box = { tag: 'review-new', x1: 1, y1: 1, x2: 20, y2: 20 }
    const mine: LabelSet = { tags: [], boxes: [moved(first, 3), ...rest, drawn] }
    const origins = [0, ...rest.map((_, i) => i + 2), null]
    const id = await w.offline.editLabels(job, sample, mine, origins)
    expect(id).not.toBeNull()

    expect((await shown(sample.id)).boxes).toEqual(mine.boxes)
    expect((await w.offline.readSample(job, sample.id)).value.boxes).toEqual(mine.boxes)
    const tagged = await w.offline.readPage({
      ...job,
      filter: { kind: 'tag', tag: 'review-new' },
      page: 1,
      perPage: 100
    })
    expect(tagged.samples.map((s) => s.id)).toEqual([sample.id])
    const stats = await w.offline.readStats(job)
    expect(stats.value.labels.find((l) => l.name === 'review-new')).toMatchObject({ count: 1 })

    // A second change of the same image, then undo: back to the first change, then to none.
    const again = await w.offline.editLabels(
      job,
      await shown(sample.id),
      { tags: [], boxes: [] },
      []
    )
    expect(again).toBe(id)
    expect((await shown(sample.id)).boxes).toEqual([])
    expect(await w.offline.undoEdit(id as string)).toBe(true)
    expect((await shown(sample.id)).boxes).toEqual(mine.boxes)
    expect(await w.offline.undoEdit(id as string)).toBe(true)
    expect((await shown(sample.id)).boxes).toEqual(sample.boxes)
    expect(await w.offline.editCounts()).toMatchObject({ queued: 0 })

    await w.offline.editLabels(job, sample, mine, origins)
    expect(await sync()).toMatchObject({ done: 1, conflicts: 0 })
    expect((await serviceSample(sample.id)).boxes).toEqual(mine.boxes)
    expect(await w.offline.editCounts()).toMatchObject({ queued: 0, sending: 0 })
    // The replica took the service's answer: the same, with no edit left on top.
    expect((await shown(sample.id)).boxes).toEqual(mine.boxes)
    expect(second).toBeDefined()
  })

  it('a crash after the request and before its answer was stored sends nothing twice', async () => {
    const [, sample] = await withBoxes(1)
    if (!sample) throw new Error('no demo image with a box')
    const mine = { tags: [], boxes: [...sample.boxes, { tag: 'once', x1: 5, y1: 5, x2: 9, y2: 9 }] }
    await w.offline.editLabels(job, sample, mine, [...sample.boxes.map((_, i) => i), null])
    w.clock.advance(HOLD_MS + 1)
    // The runner sends, and dies before the answer is written: the row is left `sending`.
    const { pickEdits, sendEdits } = await import('../src/renderer/src/offline/sync/sync-edits')
    const [batch] = (await pickEdits(w.ctx.db, w.clock.now(), () => true, 1)).batches
    await sendEdits(w.call, batch as NonNullable<typeof batch>)
    expect(await w.offline.editCounts()).toMatchObject({ sending: 1 })

    // Restart: a new offline layer on the same database recovers and sends again.
    const restarted = createOffline(w.ctx, { undoWindowMs: HOLD_MS })
    await restarted.sync.recover()
    expect(await restarted.sync.drainEdits()).toMatchObject({ done: 1 })
    expect(await restarted.sync.foldEdits()).toBe(1)
    const held = await serviceSample(sample.id)
    expect(held.boxes.filter((b) => b.tag === 'once')).toHaveLength(1)
    expect(held.boxes).toEqual(mine.boxes)
  })

  it('a drain stores the answers, the edits still sending; the fold after it settles them, or one as it goes past `foldEvery`', async () => {
    const [a, b] = await withBoxes(1)
    if (!a || !b) throw new Error('two demo images with a box needed')
    const mine = (s: Sample): LabelSet => ({ tags: [], boxes: s.boxes.map((x) => moved(x, 2)) })
    const origins = (s: Sample) => s.boxes.map((_, i) => i)
    await w.offline.editLabels(job, a, mine(a), origins(a))
    w.clock.advance(HOLD_MS + 1)
    expect(await w.offline.sync.drainEdits()).toMatchObject({ done: 1 })
    // On the service, answered and stored: sending until folded, and not sent again.
    expect((await serviceSample(a.id)).boxes).toEqual(mine(a).boxes)
    expect(await w.offline.editCounts()).toMatchObject({ queued: 0, sending: 1 })
    expect(await w.offline.sync.drainEdits()).toMatchObject({ done: 0 })
    expect(await w.offline.sync.foldEdits()).toBe(1)
    expect(await w.offline.editCounts()).toMatchObject({ queued: 0, sending: 0 })
    expect((await shown(a.id)).boxes).toEqual(mine(a).boxes)

    // A layer that folds after every answered batch has nothing left to fold after its drain.
    const eager = createOffline(w.ctx, { undoWindowMs: HOLD_MS, sync: { foldEvery: 1 } })
    await eager.editLabels(job, await shown(b.id), mine(b), origins(b))
    w.clock.advance(HOLD_MS + 1)
    expect(await eager.sync.drainEdits()).toMatchObject({ done: 1 })
    expect(await eager.editCounts()).toMatchObject({ queued: 0, sending: 0 })
    expect(await eager.sync.foldEdits()).toBe(0)
    expect((await serviceSample(b.id)).boxes).toEqual(mine(b).boxes)
  })

  it("merges a colleague's change to other boxes, and shows a clash instead of overwriting it", async () => {
    const [a, b] = await withBoxes(2, new Set())
    if (!a || !b) throw new Error('two demo images with two boxes needed')
    // A colleague's tool (another client) changes each image meanwhile.
    const [a0, a1, ...aRest] = a.boxes as [Box, Box, ...Box[]]
    const [b0, ...bRest] = b.boxes as [Box, ...Box[]]
    // On a they move the second box (I move the first); on b both move the first box.
    await w.offline.editLabels(
      job,
      a,
      { tags: [], boxes: [moved(a0, 2), a1, ...aRest] },
      a.boxes.map((_, i) => i)
    )
    await w.offline.editLabels(
      job,
      b,
      { tags: [], boxes: [moved(b0, 4), ...bRest] },
      b.boxes.map((_, i) => i)
    )
    await colleague(a, [a0, moved(a1, 7), ...aRest])
    await colleague(b, [moved(b0, -6), ...bRest])

    expect(await sync()).toMatchObject({ done: 1, conflicts: 1 })
    expect((await serviceSample(a.id)).boxes).toEqual([moved(a0, 2), moved(a1, 7), ...aRest])
    // Theirs kept on the service; the conflict waits for the reviewer with both sides.
    expect((await serviceSample(b.id)).boxes).toEqual([moved(b0, -6), ...bRest])
    const [conflict] = await w.offline.editRows(['conflict'])
    expect(conflict).toMatchObject({
      sampleId: b.id,
      status: 'conflict',
      conflict: {
        reason: 'boxes',
        boxes: [{ base: b0, theirs: moved(b0, -6), mine: moved(b0, 4) }]
      }
    })
    // Until chosen, the reviewer's side shows; not sent again by itself.
    expect((await shown(b.id)).boxes[0]).toEqual(moved(b0, 4))
    expect(await sync()).toMatchObject({ done: 0 })

    // "Keep mine": sent over theirs, now knowingly.
    expect(await w.offline.resolveConflict(conflict?.id as string, 'mine')).toBe(true)
    expect(await sync()).toMatchObject({ done: 1 })
    expect((await serviceSample(b.id)).boxes).toEqual([moved(b0, 4), ...bRest])
  })

  it('a clash undone back to an earlier change after the sync is sent by the next one (its old time is before where the sync now reads from)', async () => {
    const e = (await withBoxes(2)).at(-1)
    if (!e) throw new Error('a demo image with two boxes needed')
    const [e0, e1, ...eRest] = e.boxes as [Box, Box, ...Box[]]
    const id = await w.offline.editLabels(
      job,
      e,
      { tags: [], boxes: [e0, moved(e1, 3), ...eRest] },
      e.boxes.map((_, i) => i)
    )
    const first = await shown(e.id)
    await w.offline.editLabels(
      job,
      first,
      { tags: [], boxes: [moved(e0, 4), ...first.boxes.slice(1)] },
      first.boxes.map((_, i) => i)
    )
    await colleague(e, [moved(e0, -6), e1, ...eRest])
    expect(await sync()).toMatchObject({ conflicts: 1 })

    // Back to the first change (which touches only the second box): queued again, and merged.
    w.clock.advance(1_000)
    expect(await w.offline.undoEdit(id as string)).toBe(true)
    expect(await sync()).toMatchObject({ done: 1, conflicts: 0 })
    expect((await serviceSample(e.id)).boxes).toEqual([moved(e0, -6), moved(e1, 3), ...eRest])
    expect(await w.offline.editCounts()).toMatchObject({ queued: 0, conflict: 0 })
  })

  it('keeps theirs when the reviewer chooses so, and drops an edit of an image deleted meanwhile', async () => {
    const [, , c, d] = await withBoxes(1)
    if (!c || !d) throw new Error('more demo images with boxes needed')
    const [c0, ...cRest] = c.boxes as [Box, ...Box[]]
    await w.offline.editLabels(
      job,
      c,
      { tags: [], boxes: [moved(c0, 1), ...cRest] },
      c.boxes.map((_, i) => i)
    )
    await colleague(c, [moved(c0, 9), ...cRest])
    await w.offline.editLabels(job, d, { tags: [], boxes: [] }, [])
    await w.call('samples.delete', { ...job, sampleIds: [d.id] })
    expect(await sync()).toMatchObject({ done: 1, conflicts: 1 })
    const [conflict] = await w.offline.editRows(['conflict'])
    expect(await w.offline.resolveConflict(conflict?.id as string, 'theirs')).toBe(true)
    expect((await shown(c.id)).boxes).toEqual([moved(c0, 9), ...cRest])
    expect((await serviceSample(c.id)).boxes).toEqual([moved(c0, 9), ...cRest])
    expect(await w.offline.editCounts()).toMatchObject({ queued: 0, conflict: 0, failed: 0 })
  })
})

describe('changes to a selection', () => {
  it('adds tags to many images in one go, never to one whose labels are unknown, and once', async () => {
    const images = (await withBoxes(1)).slice(4, 9)
    const ids = [...images.map((s) => s.id), 'never-seen']
    const written = await w.offline.addTags(job, ids, ['checked'])
    expect(written).toHaveLength(images.length)
    for (const image of images) expect((await shown(image.id)).tags).toContain('checked')
    // Added again (a second selection over the same images): nothing new to send.
    await w.offline.addTags(job, ids, ['checked'])
    expect(await sync()).toMatchObject({ done: images.length })
    for (const image of images) {
      const raw = (await w.call('samples.get', { ...job, sampleId: image.id })).tags
      expect(raw.filter((t) => t === 'checked')).toHaveLength(1)
      expect((await serviceSample(image.id)).boxes).toEqual(image.boxes)
    }
  })

  it('an edit made on an older copy of the image builds on the newer one by value', async () => {
    const [image] = (await withBoxes(2)).slice(9, 10)
    if (!image) throw new Error('no demo image with two boxes')
    const [a, b, ...rest] = image.boxes as [Box, Box, ...Box[]]
    const origins = image.boxes.map((_, i) => i)
    await w.offline.editLabels(job, image, { tags: [], boxes: [moved(a, 1), b, ...rest] }, origins)
    // The second edit was made on the copy from before the first (a key pressed twice fast).
    await w.offline.editLabels(job, image, { tags: [], boxes: [a, moved(b, 2), ...rest] }, origins)
    expect((await shown(image.id)).boxes).toEqual([a, moved(b, 2), ...rest])
    expect(await sync()).toMatchObject({ done: 1, conflicts: 0 })
    // The box matched by nothing is sent as drawn anew (after the others): the same boxes.
    const held = (await serviceSample(image.id)).boxes
    expect(held).toHaveLength(image.boxes.length)
    expect(held).toEqual(expect.arrayContaining([a, moved(b, 2), ...rest]))
  })
})

describe('verdicts', () => {
  it('show at once, reach the task once, and park while the task is in the wrong state', async () => {
    const cloud = w.service.service.demo.newVersion
    const [labeling] = cloud?.tasks ?? []
    if (!cloud || !labeling) throw new Error('the demo has no labeling task')
    const task = { connectionId: job.connectionId, jobId: taskJobId(cloud.dataset.id, labeling.id) }
    const page = await w.offline.readPage({
      ...task,
      filter: { kind: 'everything' },
      page: 1,
      perPage: 5
    })
    const [a, b] = page.samples as [Sample, Sample]
    await w.offline.judge(task, a, {
      stage: 'review',
      accept: false,
      comment: 'box too loose',
      score: 'C'
    })
    expect(
      await w.offline.judgeMany(task, [b.id], {
        stage: 'review',
        accept: true,
        comment: '',
        score: 'A'
      })
    ).toHaveLength(1)
    const again = await w.offline.readPage({
      ...task,
      filter: { kind: 'everything' },
      page: 1,
      perPage: 5
    })
    expect(again.samples[0]?.verdict).toEqual({
      stage: 'review',
      accept: false,
      comment: 'box too loose',
      score: 'C'
    })

    // The task moves on to acceptance before the verdicts go: parked, with the reason.
    await w.service.faults({ taskStatus: { task: labeling.id, status: 2 } })
    try {
      expect(await sync()).toMatchObject({ parked: 2, done: 0 })
      expect(await sync()).toMatchObject({ parked: 0, done: 0 })
      const parked = await w.offline.editRows(['parked'])
      expect(parked.map((r) => r.lastError?.code)).toEqual(['ModelArts.4621', 'ModelArts.4621'])
    } finally {
      await w.service.faults({ taskStatus: { task: labeling.id, status: 1 } })
    }
    const parked = await w.offline.editRows(['parked'])
    expect(await w.offline.retryEdits(parked.map((r) => r.id))).toBe(2)
    expect(await sync()).toMatchObject({ done: 2 })
    expect((await serviceSample(a.id, task)).verdict).toEqual({
      stage: 'review',
      accept: false,
      comment: 'box too loose',
      score: 'C'
    })
    expect((await serviceSample(b.id, task)).verdict).toMatchObject({ accept: true, score: 'A' })
  })
})
