import 'fake-indexeddb/auto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import type { Box, Dataset, Sample } from '../src/shared/domain'
import { labelSetOf, sameLabels, type LabelSet } from '../src/shared/labels'
import { parseJobId, taskJobId } from '../src/shared/job-id'
import { outboxId } from '../src/renderer/src/offline/store/db'
import { countReport, type ReportEntry } from '../src/renderer/src/offline/report/report'
import { startRealWorld, type RealWorld } from './real-world'
import { issueToken } from './service-world'

/**
 * The review report against the real parts: the renderer's offline layer (fake-indexeddb) over
 * the real main-process code and the real local service. Changes made and synced, then every
 * entry of the report checked against what the service answers over its own HTTP API (the
 * ModelArts wire format, read here without Tagdeck's client): deleted images gone, labels as
 * the report's "after", verdicts with the report's accept, reason and grade; a conflict says
 * the service still holds the colleague's labels.
 */

const HOLD_MS = 60_000
let w: RealWorld
let detection: { connectionId: string; jobId: string }
let task: { connectionId: string; jobId: string }
let token: string

const WireSample = z.object({
  sample_id: z.string(),
  labels: z.array(z.object({ name: z.string(), property: z.record(z.string(), z.unknown()) })),
  review_accept: z.boolean().optional(),
  review_comment: z.string().optional(),
  review_score: z.string().optional()
})
const Feature = z.tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])])
const Stats = z.object({ sample_stats: z.object({ all: z.number(), deleted: z.number() }) })

/** GET on the service itself, with an IAM token. */
async function get(path: string): Promise<{ status: number; json: unknown }> {
  const { service } = w.service
  const url = new URL(`/v2/${service.demo.projectId}${path}`, service.url)
  const response = await fetch(url, { headers: { 'X-Auth-Token': token } })
  return { status: response.status, json: await response.json() }
}

/** A job's path on the service: a dataset, or a labeling task of one. */
function jobPath(jobId: string): string {
  const { datasetId, taskId } = parseJobId(jobId)
  return `/datasets/${datasetId}${taskId ? `/workforce-tasks/${taskId}` : ''}`
}

/** The sample as the service holds it, its labels read as Tagdeck edits them (null: gone). */
async function held(jobId: string, sampleId: string) {
  const answer = await get(`${jobPath(jobId)}/data-annotations/samples/${sampleId}`)
  // The service answers a sample it does not hold with 400 ModelArts.4420, as the cloud does.
  const error = z.object({ error_code: z.string() }).safeParse(answer.json)
  if (answer.status === 400 && error.success && error.data.error_code === 'ModelArts.4420')
    return null
  expect(answer.status).toBe(200)
  const wire = WireSample.parse(answer.json)
  const boxes: Box[] = []
  const tags: string[] = []
  for (const label of wire.labels) {
    const feature = label.property['@modelarts:feature']
    if (feature === undefined) tags.push(label.name)
    else {
      const [[x1, y1], [x2, y2]] = Feature.parse(feature)
      boxes.push({ tag: label.name, x1, y1, x2, y2 })
    }
  }
  return { labels: labelSetOf({ tags: [...tags, ...boxes.map((b) => b.tag)], boxes }), wire }
}

async function deletedOnService(jobId: string): Promise<number> {
  return Stats.parse((await get(`${jobPath(jobId)}/data-annotations/stats`)).json).sample_stats
    .deleted
}

async function firstPage(job: typeof detection, filter: 'tagged' | 'everything' = 'tagged') {
  const view = await w.offline.readPage({ ...job, filter: { kind: filter }, page: 1, perPage: 100 })
  return view.samples
}

const moved = (b: Box, by: number): Box => ({ ...b, x1: b.x1 + by, x2: b.x2 + by })

/** Each entry of the report checked against the service; returns how many were checked. */
async function checkAgainstService(entries: readonly ReportEntry[], jobId: string) {
  for (const entry of entries) {
    const now = await held(jobId, entry.sampleId)
    const what = `${entry.kind} ${entry.name ?? entry.sampleId} (${entry.state})`
    if (entry.kind === 'delete') {
      expect(entry.state, what).toBe('sent')
      expect(now, what).toBeNull()
      continue
    }
    if (!now) throw new Error(`${what}: the service has no such image`)
    if (entry.verdict) {
      expect(entry.state, what).toBe('sent')
      expect(
        {
          accept: now.wire.review_accept,
          comment: now.wire.review_comment ?? '',
          score: now.wire.review_score
        },
        what
      ).toEqual({
        accept: entry.verdict.accept,
        comment: entry.verdict.comment,
        score: entry.verdict.score
      })
      continue
    }
    const after = entry.labels?.after as LabelSet
    if (entry.state === 'conflict') {
      // Not sent: the colleague's labels stay.
      expect(sameLabels(now.labels, after), what).toBe(false)
      continue
    }
    expect(entry.state, what).toBe('sent')
    expect(sameLabels(now.labels, after), `${what}: ${JSON.stringify(now.labels)}`).toBe(true)
  }
}

beforeAll(async () => {
  w = await startRealWorld({ demoSize: 60, offline: { undoWindowMs: HOLD_MS } })
  const dataset = w.jobs.find((d) => d.type === 'detection') as Dataset
  detection = { connectionId: w.connection.id, jobId: dataset.id }
  const cloud = w.service.service.demo.newVersion
  const labeling = cloud?.tasks[0]
  if (!cloud || !labeling) throw new Error('the demo has no labeling task')
  task = { connectionId: w.connection.id, jobId: taskJobId(cloud.dataset.id, labeling.id) }
  const answer = await issueToken(w.service.service.url, w.service.service.demo)
  token = z.string().parse(answer.headers.get('x-subject-token'))
}, 120_000)
afterAll(async () => {
  await w?.close()
})

describe('the review report after a sync', () => {
  it('says of every change what the service shows: deletions gone, labels, verdicts; a conflict as not sent', async () => {
    const deletedBefore = await deletedOnService(detection.jobId)
    const images = (await firstPage(detection)).filter((s) => s.boxes.length >= 2)
    const [a, b, c, d, e, f, g, h] = images as Sample[]
    if (!a || !b || !c || !d || !e || !f || !g || !h) throw new Error('too few demo images')
    const [a0, ...aRest] = a.boxes as [Box, ...Box[]]
    // a: its first box moved and relabelled; b: a box drawn and a tag added; c: a box removed.
    await w.offline.editLabels(
      detection,
      a,
      { tags: labelSetOf(a).tags, boxes: [{ ...moved(a0, 5), tag: 'relabelled' }, ...aRest] },
      a.boxes.map((_, i) => i)
    )
    const drawn = { tag: 'drawn', x1: 2, y1: 2, x2: 30, y2: 30 }
    await w.offline.editLabels(
      detection,
      b,
      { tags: [...labelSetOf(b).tags, 'checked'], boxes: [...b.boxes, drawn] },
      [...b.boxes.map((_, i) => i), null]
    )
    await w.offline.editLabels(
      detection,
      c,
      { tags: labelSetOf(c).tags, boxes: c.boxes.slice(1) },
      c.boxes.slice(1).map((_, i) => i + 1)
    )
    // d: changed, then undone: not in the report. e, f deleted; g deleted then undone.
    const undone = await w.offline.editLabels(detection, d, { tags: [], boxes: [] }, [])
    expect(await w.offline.undoEdit(undone as string)).toBe(true)
    await w.offline.deleteSamples(detection, [e.id, f.id, g.id])
    await w.offline.undo([outboxId(detection.connectionId, detection.jobId, g.id)])
    // h: moved here, and by a colleague too before the sync: a conflict.
    const [h0, ...hRest] = h.boxes as [Box, ...Box[]]
    await w.offline.editLabels(
      detection,
      h,
      { tags: labelSetOf(h).tags, boxes: [moved(h0, 4), ...hRest] },
      h.boxes.map((_, i) => i)
    )
    const [colleague] = await w.call('samples.updateLabels', {
      ...detection,
      edits: [
        {
          sampleId: h.id,
          base: labelSetOf(h),
          mine: { tags: labelSetOf(h).tags, boxes: [moved(h0, -6), ...hRest] },
          origins: h.boxes.map((_, i) => i),
          cleared: false
        }
      ]
    })
    expect(colleague?.status).toBe('updated')

    // Verdicts in the labeling task: one accepted (B), one rejected with its reason (D).
    const [t1, t2] = (await firstPage(task, 'everything')) as Sample[]
    if (!t1 || !t2) throw new Error('the demo task has too few images')
    await w.offline.judge(task, t1, { stage: 'review', accept: true, comment: '', score: 'B' })
    await w.offline.judge(task, t2, {
      stage: 'review',
      accept: false,
      comment: 'Box too loose',
      score: 'D'
    })

    const before = await w.offline.reviewReport(detection)
    expect(before.map((x) => [x.kind, x.sampleId, x.state])).toEqual([
      ['labels', a.id, 'pending'],
      ['labels', b.id, 'pending'],
      ['labels', c.id, 'pending'],
      ['delete', e.id, 'pending'],
      ['delete', f.id, 'pending'],
      ['labels', h.id, 'pending']
    ])

    w.clock.advance(HOLD_MS + 1)
    expect(await w.offline.sync.drain()).toMatchObject({ done: 2, failed: 0 })
    expect(await w.offline.sync.drainEdits()).toMatchObject({ done: 5, conflicts: 1 })
    await w.offline.sync.foldEdits()

    const report = await w.offline.reviewReport(detection)
    expect(report.map((x) => x.state)).toEqual(['sent', 'sent', 'sent', 'sent', 'sent', 'conflict'])
    expect(report[0]?.labels?.summary).toMatchObject({
      boxesMoved: ['relabelled'],
      boxesRelabelled: [{ from: a0.tag, to: 'relabelled' }]
    })
    expect(report[1]?.labels?.summary).toMatchObject({
      boxesAdded: ['drawn'],
      tagsAdded: ['checked']
    })
    expect(report[2]?.labels?.summary.boxesRemoved).toEqual([c.boxes[0]?.tag])
    await checkAgainstService(report, detection.jobId)
    const counts = countReport(report)
    expect(counts).toMatchObject({ images: 6, deleted: 2, labelChanges: 4, conflicts: 1 })
    expect((await deletedOnService(detection.jobId)) - deletedBefore).toBe(counts.deleted)

    const verdicts = await w.offline.reviewReport(task)
    expect(verdicts.map((x) => [x.sampleId, x.state])).toEqual([
      [t1.id, 'sent'],
      [t2.id, 'sent']
    ])
    await checkAgainstService(verdicts, task.jobId)
    expect(countReport(verdicts)).toMatchObject({ accepted: 1, rejected: 1 })

    // The conflict kept as mine and sent: now the service holds the report's "after" too.
    const conflict = await w.offline.editRows(['conflict'])
    expect(await w.offline.resolveConflict(conflict[0]?.id as string, 'mine')).toBe(true)
    w.clock.advance(HOLD_MS + 1)
    expect(await w.offline.sync.drainEdits()).toMatchObject({ done: 1 })
    await w.offline.sync.foldEdits()
    const settled = await w.offline.reviewReport(detection)
    expect(settled.at(-1)).toMatchObject({ state: 'sent', conflict: { resolved: 'mine' } })
    await checkAgainstService(settled, detection.jobId)
  })
})
