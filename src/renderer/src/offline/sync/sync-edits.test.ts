import 'fake-indexeddb/auto'
import { Dexie } from 'dexie'
import { describe, expect, it } from 'vitest'
import type { Sample } from '../../../../shared/domain'
import { editId, openTagdeckDb, type TagdeckDb } from '../store/db'
import { EditInFlight, editRows, queueLabels, queueVerdict, undoEdit } from '../edits/edits'
import { reviewReport } from '../report/report'
import { auth401, FakeClock, makeSample, retryable503 } from '../../../../../testing/offline'
import {
  editCounts,
  editsDueNow,
  failEdits,
  findEditFloor,
  floorAt,
  foldAnswers,
  pickEdits,
  recordAnswers,
  recoverEdits,
  requeueEdits,
  resumeEdits,
  type AnsweredEdits,
  type EditBatch
} from './sync-edits'

const job = { connectionId: 'c1', jobId: 'j1' }
const fresh = () => openTagdeckDb(`sync-edits-${Math.random().toString(36).slice(2)}`)
const deps = (db: TagdeckDb, clock: FakeClock) => ({
  db,
  clock,
  random: () => 0.5,
  backoff: { baseMs: 1_000, maxMs: 60_000 }
})
const accepted = { stage: 'review' as const, accept: true, comment: '', score: 'A' as const }

/** Two images of the job with an edit each: a label change and a verdict, due now. */
async function twoEdits(db: TagdeckDb, clock: FakeClock): Promise<[Sample, Sample]> {
  const a = makeSample(1, ['cat'])
  const b = makeSample(2, ['cat'])
  await queueLabels(db, clock, job, a, { tags: ['night'], boxes: [] }, [])
  await queueVerdict(db, clock, job, b, accepted)
  return [a, b]
}

/** Answers recorded and folded, as the runner does after a drain. */
async function settle(db: TagdeckDb, clock: FakeClock, answered: AnsweredEdits[]) {
  await recordAnswers(db, answered)
  return foldAnswers(deps(db, clock))
}

const answerAll = (batches: EditBatch[]) =>
  batches.map((batch) => ({
    batch,
    outcomes: batch.rows.map(
      (r) => ({ sampleId: r.sampleId, status: r.kind === 'labels' ? 'unchanged' : 'done' }) as never
    )
  }))

describe('review edits in flight', () => {
  it('are named by a record of their batch, not rewritten: they read as sending, cannot be undone or changed, and leave once their answer is folded', async () => {
    const db = fresh()
    const clock = new FakeClock(1_000_000)
    const [a, b] = await twoEdits(db, clock)
    const before = await db.edits.toArray()

    const batches = (await pickEdits(db, clock.now(), () => true, 10)).batches
    expect(batches.map((x) => x.rows.map((r) => r.sampleId))).toEqual([[a.id], [b.id]])
    // Not one edit written to send them.
    expect(await db.edits.toArray()).toEqual(before)
    expect(await db.editFlight.count()).toBe(2)

    expect(await editCounts(db)).toMatchObject({ queued: 0, sending: 2 })
    expect(await editCounts(db, 'another')).toMatchObject({ queued: 0, sending: 0 })
    expect((await editRows(db, ['sending'], 10)).map((r) => r.sampleId)).toEqual([a.id, b.id])
    expect(await editRows(db, ['queued'], 10)).toEqual([])
    expect((await reviewReport(db, job)).map((e) => e.state)).toEqual(['sending', 'sending'])
    expect(await undoEdit(db, clock, editId(job, a.id, 'labels'))).toBe(false)
    await expect(
      queueLabels(db, clock, job, a, { tags: ['day'], boxes: [] }, [])
    ).rejects.toBeInstanceOf(EditInFlight)
    // A second pick (the runner's next, while these are out) takes neither.
    expect((await pickEdits(db, clock.now(), () => true, 10)).batches).toEqual([])

    // Answered: confirmed, and still sending until the runner folds them after its calls.
    expect(await recordAnswers(db, answerAll(batches))).toMatchObject({ done: 2 })
    expect(await db.edits.count()).toBe(2)
    expect(await editCounts(db)).toMatchObject({ queued: 0, sending: 2 })
    expect((await pickEdits(db, clock.now(), () => true, 10)).batches).toEqual([])
    expect(await undoEdit(db, clock, editId(job, a.id, 'labels'))).toBe(false)

    expect(await foldAnswers(deps(db, clock))).toBe(2)
    expect(await db.edits.count()).toBe(0)
    expect(await db.editFlight.count()).toBe(0)
    expect(await editCounts(db)).toMatchObject({ queued: 0, sending: 0 })
    expect((await reviewReport(db, job)).map((e) => e.state)).toEqual(['sent', 'sent'])
  })

  it('after a crash their records are dropped, and the edits are picked and sent again', async () => {
    const db = fresh()
    const clock = new FakeClock(1_000_000)
    await twoEdits(db, clock)
    await pickEdits(db, clock.now(), () => true, 10)
    // The runner died here. The next one starts by recovering.
    expect(await recoverEdits(db)).toBe(2)
    expect(await editCounts(db)).toMatchObject({ queued: 2, sending: 0 })
    const again = (await pickEdits(db, clock.now(), () => true, 10)).batches
    expect(again.flatMap((x) => x.rows)).toHaveLength(2)
  })

  it('answered before a crash: the next runner folds the answers and sends none of them again', async () => {
    const db = fresh()
    const clock = new FakeClock(1_000_000)
    const [a, b] = await twoEdits(db, clock)
    const batches = (await pickEdits(db, clock.now(), () => true, 10)).batches
    // The verdict's answer came short (no outcome for it): it is sent again, later.
    const answered = answerAll(batches).map((x) =>
      x.batch.kind === 'verdict' ? { ...x, outcomes: [] } : x
    )
    await recordAnswers(db, answered)
    // The runner died here, its answers in memory gone with it.
    expect(await recoverEdits(db)).toBe(0)
    expect((await pickEdits(db, clock.now(), () => true, 10)).batches).toEqual([])
    expect(await foldAnswers(deps(db, clock))).toBe(2)
    expect(await db.editFlight.count()).toBe(0)
    expect(await db.edits.get(editId(job, a.id, 'labels'))).toBeUndefined()
    const verdict = await db.edits.get(editId(job, b.id, 'verdict'))
    expect(verdict).toMatchObject({ status: 'queued', attempts: 1 })
    expect(verdict?.nextAttemptAt).toBeGreaterThan(clock.now())
  })

  it('picked but never sent: queued as they were, and undoable again', async () => {
    const db = fresh()
    const clock = new FakeClock(1_000_000)
    const [a] = await twoEdits(db, clock)
    const batches = (await pickEdits(db, clock.now(), () => true, 10)).batches
    await requeueEdits(db, batches)
    expect(await editCounts(db)).toMatchObject({ queued: 2, sending: 0 })
    expect(await undoEdit(db, clock, editId(job, a.id, 'labels'))).toBe(true)
  })

  it('a call that failed as a whole: out of flight, queued again for later', async () => {
    const db = fresh()
    const clock = new FakeClock(1_000_000)
    await twoEdits(db, clock)
    const [first] = (await pickEdits(db, clock.now(), () => true, 1)).batches
    if (!first) throw new Error('nothing picked')
    const unreachable = Object.assign(new Error('offline'), { code: 'offline' })
    await failEdits(deps(db, clock), first, unreachable)
    expect(await db.editFlight.count()).toBe(0)
    const row = await db.edits.get(first.rows[0]?.id ?? '')
    expect(row).toMatchObject({ status: 'queued', attempts: 1 })
    expect(row?.nextAttemptAt).toBeGreaterThan(clock.now())
  })

  it("a done label edit rewrites the image's single row (read alone) and no other", async () => {
    const db = fresh()
    const clock = new FakeClock(1_000_000)
    const [a, b] = await twoEdits(db, clock)
    const other = makeSample(3, ['dog'])
    const single = (sample: Sample) => ({ ...job, sampleId: sample.id, sample, lastSeen: 1 })
    await db.samples.bulkPut([single(a), single(other)])
    const batches = (await pickEdits(db, clock.now(), () => true, 10)).batches
    const result = { tags: ['night'], boxes: [] }
    await settle(
      db,
      clock,
      batches.map((batch) => ({
        batch,
        outcomes: batch.rows.map(
          (r) =>
            (r.kind === 'labels'
              ? { sampleId: r.sampleId, status: 'updated', result }
              : { sampleId: r.sampleId, status: 'done' }) as never
        )
      }))
    )
    const rows = await db.samples.toArray()
    expect(rows.map((r) => [r.sampleId, r.sample.tags])).toEqual([
      [a.id, ['night']],
      [other.id, ['dog']]
    ])
    expect(await db.samples.get([job.connectionId, job.jobId, b.id])).toBeUndefined()
  })

  it('each pick takes the oldest due edits not in flight, and passes over connections not ready', async () => {
    const db = fresh()
    const clock = new FakeClock(1_000_000)
    const other = { connectionId: 'c2', jobId: 'j1' }
    // 150 verdicts of a connection that is not ready, due first; then 250 of one that is.
    for (let i = 0; i < 150; i++) {
      await queueVerdict(db, clock, other, makeSample(i, []), accepted)
      clock.advance(1)
    }
    for (let i = 0; i < 250; i++) {
      await queueVerdict(db, clock, job, makeSample(i, []), accepted)
      clock.advance(1)
    }
    const ready = (connectionId: string) => connectionId === job.connectionId
    const picked: string[][] = []
    for (let batches = (await pickEdits(db, clock.now(), ready, 1)).batches; batches.length > 0;) {
      picked.push(batches.flatMap((b) => b.rows.map((r) => r.sampleId)))
      batches = (await pickEdits(db, clock.now(), ready, 1)).batches
    }
    expect(picked.map((p) => p.length)).toEqual([100, 100, 50])
    expect(picked.flat()).toEqual(Array.from({ length: 250 }, (_, i) => makeSample(i, []).id))
    expect(await editCounts(db, job.connectionId)).toMatchObject({ queued: 0, sending: 250 })
    expect(await editCounts(db, other.connectionId)).toMatchObject({ queued: 150, sending: 0 })
  })

  it('says when no due edit is left to pick, so the runner asks no more', async () => {
    const db = fresh()
    const clock = new FakeClock(1_000_000)
    for (let i = 0; i < 150; i++) await queueVerdict(db, clock, job, makeSample(i, []), accepted)
    await queueLabels(db, clock, job, makeSample(500, ['cat']), { tags: [], boxes: [] }, [])
    const pick = async () => {
      const { batches, more } = await pickEdits(db, clock.now(), () => true, 1)
      return [batches.flatMap((b) => b.rows).length, more]
    }
    // 100 verdicts (more remain); 50 verdicts, the label edit passed over (a batch a pick); the
    // label edit, and nothing is left.
    expect(await pick()).toEqual([100, true])
    expect(await pick()).toEqual([50, true])
    expect(await pick()).toEqual([1, false])
    expect(await pick()).toEqual([0, false])
  })

  it('knows a pick that took exactly what was due took the last of it', async () => {
    const db = fresh()
    const clock = new FakeClock(1_000_000)
    for (let i = 0; i < 200; i++) await queueVerdict(db, clock, job, makeSample(i, []), accepted)
    const first = await pickEdits(db, clock.now(), () => true, 1)
    expect(first.more).toBe(true)
    // With edits in flight (keys first) and without (the oldest due read at once).
    const second = await pickEdits(db, clock.now(), () => true, 1)
    expect([second.batches[0]?.rows.length, second.more]).toEqual([100, false])
    const other = fresh()
    for (let i = 0; i < 100; i++) await queueVerdict(other, clock, job, makeSample(i, []), accepted)
    const all = await pickEdits(other, clock.now(), () => true, 1)
    expect([all.batches[0]?.rows.length, all.more]).toEqual([100, false])
  })
})

describe("where the sync's reads of queued edits start (findEditFloor)", () => {
  it('above the edits folded away, and below every edit queued after: an undone parked verdict, a backoff made due, a resumed pause', async () => {
    const db = fresh()
    const clock = new FakeClock(1_000_000)
    const rejected = { ...accepted, accept: false, comment: 'blurred' }
    const [a, b, c, done] = [1, 2, 3, 4].map((i) => makeSample(i, ['cat'])) as Sample[]
    const other = { connectionId: 'c2', jobId: 'j1' }
    // a: a verdict changed once, then parked by the task; c: on a connection that signs out.
    await queueVerdict(db, clock, job, a, accepted)
    clock.advance(10)
    await queueVerdict(db, clock, job, a, rejected)
    await queueLabels(db, clock, job, b, { tags: ['dog'], boxes: [] }, [])
    await queueVerdict(db, clock, other, c, accepted)
    await queueVerdict(db, clock, job, done, accepted)
    const picked = (await pickEdits(db, clock.now(), () => true, 10)).batches
    const of = (sample: Sample) => picked.find((p) => p.rows.some((r) => r.sampleId === sample.id))
    const [toA, toB, toC] = [of(a), of(b), of(c)] as EditBatch[]
    await failEdits(deps(db, clock), toB, retryable503())
    await failEdits(deps(db, clock), toC, auth401())
    await recordAnswers(db, [
      {
        batch: toA,
        outcomes: toA.rows.map((r) => ({
          sampleId: r.sampleId,
          status: r.sampleId === a.id ? 'parked' : 'done'
        })) as never
      }
    ])
    expect(await foldAnswers(deps(db, clock))).toBe(2)
    clock.advance(100)

    // Only b is queued, backing off to later: the floor is when it was found.
    const floor = await findEditFloor(db, clock)
    expect(floor).toEqual({ from: clock.now(), at: clock.now() })
    expect(await db.edits.get(editId(job, a.id, 'verdict'))).toMatchObject({ status: 'parked' })

    expect(await undoEdit(db, clock, editId(job, a.id, 'verdict'))).toBe(true)
    await editsDueNow(db, clock, job.connectionId)
    await db.pauses.delete(other.connectionId)
    expect(await resumeEdits(db, clock, other.connectionId)).toBe(1)
    for (const row of await db.edits.toArray()) {
      expect(row.status).toBe('queued')
      expect(row.nextAttemptAt).toBeGreaterThanOrEqual(floor.from)
    }
    const now = clock.now()
    const again = (await pickEdits(db, now, () => true, 10, floorAt(floor, now))).batches
    expect(again.flatMap((p) => p.rows.map((r) => r.sampleId)).sort()).toEqual(
      [a.id, b.id, c.id].sort()
    )
    // The undone verdict goes as it was before the change.
    expect(again.flatMap((p) => p.rows).find((r) => r.sampleId === a.id)?.verdict?.accept).toBe(
      true
    )
  })

  it('is not used once the clock went back past the time it was found', async () => {
    const db = fresh()
    const clock = new FakeClock(1_000_000)
    const floor = await findEditFloor(db, clock)
    expect(floor).toEqual({ from: 1_000_000, at: 1_000_000 })
    expect(floorAt(floor, 1_000_000)).toBe(1_000_000)
    expect(floorAt(floor, 999_999)).toBe(Dexie.minKey)
    expect(floorAt(null, 1_000_000)).toBe(Dexie.minKey)
    // The oldest queued edit's time, when it is earlier.
    await queueVerdict(db, clock, job, makeSample(1, ['cat']), accepted)
    clock.advance(50)
    expect(await findEditFloor(db, clock)).toEqual({ from: 1_000_000, at: 1_000_050 })
  })
})
