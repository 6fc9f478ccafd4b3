import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import type { Sample } from '../../../../shared/domain'
import { editId, openTagdeckDb, outboxId, type TagdeckDb } from '../store/db'
import { discardEdit, queueLabels, queueVerdict, resolveConflict, undoEdit } from '../edits/edits'
import { discard, queueDeletions, undo } from '../outbox/outbox'
import { foldAnswers, pickEdits, recordAnswers } from '../sync/sync-edits'
import { FakeClock, makeSample } from '../../../../../testing/offline'
import { countReport, reviewReport, sittingEntries } from './report'

const job = { connectionId: 'c1', jobId: 'j1' }
const fresh = () => openTagdeckDb(`report-${Math.random().toString(36).slice(2)}`)
const deps = (db: TagdeckDb, clock: FakeClock) => ({
  db,
  clock,
  random: () => 0.5,
  backoff: { baseMs: 1_000, maxMs: 60_000 }
})
const withBox = (i: number): Sample => makeSample(i, ['cat'])
const accepted = { stage: 'review' as const, accept: true, comment: '', score: 'A' as const }

/** Everything due is picked and answered as given (the service's answers, per row). */
async function send(db: TagdeckDb, clock: FakeClock, answer: (sampleId: string) => object) {
  const batches = (await pickEdits(db, clock.now(), () => true, 10)).batches
  await recordAnswers(
    db,
    batches.map((batch) => ({
      batch,
      outcomes: batch.rows.map((r) => ({ sampleId: r.sampleId, ...answer(r.sampleId) }) as never)
    }))
  )
  await foldAnswers(deps(db, clock))
}

describe('the review log', () => {
  it('keeps each change with its state, and keeps a sent change once its edit has left', async () => {
    const db = fresh()
    const clock = new FakeClock(1_000_000)
    const a = withBox(1)
    const b = withBox(2)
    await queueLabels(db, clock, job, a, { tags: ['night'], boxes: [] }, [])
    clock.advance(30_000)
    await queueVerdict(db, clock, job, b, { ...accepted, accept: false, comment: 'Wrong tag' })
    clock.advance(30_000)
    await queueDeletions(db, clock, job, ['s00003', 's00004'])

    let report = await reviewReport(db, job)
    expect(report.map((e) => [e.kind, e.sampleId, e.state])).toEqual([
      ['labels', a.id, 'pending'],
      ['verdict', b.id, 'pending'],
      ['delete', 's00003', 'pending'],
      ['delete', 's00004', 'pending']
    ])
    expect(report[0]?.labels?.summary).toMatchObject({
      tagsAdded: ['night'],
      boxesRemoved: ['cat']
    })
    expect(report[0]).toMatchObject({ name: 'img-1.jpg', at: 1_000_000 })
    expect(report[1]?.verdict).toEqual({
      stage: 'review',
      accept: false,
      comment: 'Wrong tag',
      score: 'A'
    })

    // The edits go: one taken, one refused. The edit rows leave or stay; the log keeps both.
    await send(db, clock, (id) => (id === a.id ? { status: 'updated' } : { status: 'failed' }))
    expect(await db.edits.get(editId(job, a.id, 'labels'))).toBeUndefined()
    report = await reviewReport(db, job)
    expect(report.map((e) => e.state)).toEqual(['sent', 'failed', 'pending', 'pending'])
    expect(report[1]?.error).toMatchObject({ code: 'failed' })

    const counts = countReport(report)
    expect(counts).toMatchObject({
      images: 4,
      deleted: 2,
      accepted: 0,
      rejected: 1,
      labelChanges: 1,
      conflicts: 0
    })
    expect(counts.byState).toMatchObject({ sent: 1, failed: 1, pending: 2 })
    // Four images in one minute: three a minute.
    expect(counts.perMinute).toBeCloseTo(3)
    expect(sittingEntries(report, 1_030_000).map((e) => e.sampleId)).toEqual([
      b.id,
      's00003',
      's00004'
    ])

    // The same image edited again after its edit was sent: a new entry beside the sent one.
    await queueLabels(
      db,
      clock,
      job,
      { ...a, tags: ['night'], boxes: [] },
      {
        tags: ['night', 'rain'],
        boxes: []
      },
      []
    )
    report = await reviewReport(db, job)
    expect(report.filter((e) => e.sampleId === a.id).map((e) => e.state)).toEqual([
      'sent',
      'pending'
    ])
    expect(report.at(-1)?.labels?.summary.tagsAdded).toEqual(['rain'])
  })

  it('follows a second change and undo step by step; an undone change leaves no entry', async () => {
    const db = fresh()
    const clock = new FakeClock()
    const a = withBox(1)
    const id = (await queueLabels(db, clock, job, a, { tags: ['x'], boxes: a.boxes }, [0])) ?? ''
    clock.advance(1_000)
    const shown = { ...a, tags: ['x', 'cat'] }
    await queueLabels(db, clock, job, shown, { tags: ['x'], boxes: [] }, [])
    let [entry] = await reviewReport(db, job)
    expect(entry?.labels?.summary).toMatchObject({ tagsAdded: ['x'], boxesRemoved: ['cat'] })
    expect(entry?.at).toBe(1_000_000)
    expect(await undoEdit(db, clock, id)).toBe(true)
    ;[entry] = await reviewReport(db, job)
    expect(entry?.labels?.summary).toMatchObject({ tagsAdded: ['x'], boxesRemoved: [] })
    expect(await undoEdit(db, clock, id)).toBe(true)
    expect(await reviewReport(db, job)).toEqual([])
    expect(await db.reviewLog.count()).toBe(0)

    // Changed back by hand to what the service holds: the edit and its entry go.
    await queueLabels(db, clock, job, a, { tags: ['y'], boxes: a.boxes }, [0])
    await queueLabels(
      db,
      clock,
      job,
      { ...a, tags: ['y', 'cat'] },
      { tags: [], boxes: a.boxes },
      [0]
    )
    expect(await db.edits.count()).toBe(0)
    expect(await db.reviewLog.count()).toBe(0)
  })

  it('undone deletions leave the log; discarded ones stay, marked', async () => {
    const db = fresh()
    const clock = new FakeClock()
    await queueDeletions(db, clock, job, ['s1', 's2', 's3'])
    await undo(db, [outboxId('c1', 'j1', 's2')])
    await db.outbox.toCollection().modify({ status: 'failed' })
    await discard(db, [outboxId('c1', 'j1', 's3')])
    const report = await reviewReport(db, job)
    expect(report.map((e) => [e.sampleId, e.state])).toEqual([
      ['s1', 'failed'],
      ['s3', 'discarded']
    ])
    expect(countReport(report)).toMatchObject({ deleted: 1, images: 2 })
    // Deleted again after the undo: a new entry, waiting.
    await queueDeletions(db, clock, job, ['s2'])
    expect((await reviewReport(db, job)).map((e) => [e.sampleId, e.state])).toContainEqual([
      's2',
      'pending'
    ])
  })

  it('lists conflicts, waiting or settled as mine or theirs', async () => {
    const db = fresh()
    const clock = new FakeClock()
    const [a, b] = [withBox(1), withBox(2)]
    for (const s of [a, b])
      await queueLabels(db, clock, job, s, { tags: [], boxes: [{ ...s.boxes[0]!, x1: 5 }] }, [0])
    const theirs = { tags: [], boxes: [{ tag: 'cat', x1: 0, y1: 0, x2: 99, y2: 99 }] }
    await send(db, clock, () => ({
      status: 'conflict',
      conflict: { reason: 'boxes', theirs, boxes: [] }
    }))
    let report = await reviewReport(db, job)
    expect(report.map((e) => [e.state, e.conflict])).toEqual([
      ['conflict', { resolved: null }],
      ['conflict', { resolved: null }]
    ])
    expect(countReport(report).conflicts).toBe(2)
    await resolveConflict(db, clock, editId(job, a.id, 'labels'), 'mine')
    await resolveConflict(db, clock, editId(job, b.id, 'labels'), 'theirs')
    report = await reviewReport(db, job)
    expect(report.map((e) => [e.sampleId, e.state, e.conflict])).toEqual([
      [a.id, 'pending', { resolved: 'mine' }],
      [b.id, 'discarded', { resolved: 'theirs' }]
    ])
    await send(db, clock, () => ({ status: 'updated' }))
    report = await reviewReport(db, job)
    expect(report[0]).toMatchObject({ state: 'sent', conflict: { resolved: 'mine' } })
    expect(countReport(report)).toMatchObject({ conflicts: 2, labelChanges: 1 })
  })

  it('a failed edit discarded stays in the report as discarded', async () => {
    const db = fresh()
    const clock = new FakeClock()
    await queueVerdict(db, clock, job, withBox(1), accepted)
    await send(db, clock, () => ({ status: 'parked', code: 'ModelArts.4621', message: 'no' }))
    expect((await reviewReport(db, job))[0]).toMatchObject({
      state: 'parked',
      error: { code: 'ModelArts.4621' }
    })
    await discardEdit(db, clock, editId(job, 's00001', 'verdict'))
    expect((await reviewReport(db, job))[0]?.state).toBe('discarded')
    expect(countReport(await reviewReport(db, job)).accepted).toBe(0)
  })
})
