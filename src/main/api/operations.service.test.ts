import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Box } from '../../shared/domain'
import { labelSetOf, type LabelEdit } from '../../shared/labels'
import type { Dataset, Sample } from '../../shared/domain'
import { TagdeckError } from '../../shared/errors'
import { buildClient, type NetDeps } from '../connections/client'
import { countingFetch, startServiceWorld, type ServiceWorld } from '../../../testing/local-service'
import { taskJobId } from '../../shared/job-id'
import { WireSampleList } from './wire'
import { DELETE_CHUNK, type Operations } from './operations'

// The five SDK operations and the UI's extra calls, against the real local service over HTTP.
let world: ServiceWorld
let ops: Operations
let classification: Dataset
let detection: Dataset
const quick: NetDeps = { sleep: async () => {} }

beforeAll(async () => {
  world = await startServiceWorld({ demoSize: 80 })
  ops = buildClient(world.akskProfile, world.service.demo.sk, quick).ops
  const datasets = await ops.listDatasets()
  classification = datasets.find((d) => d.type === 'classification') as Dataset
  detection = datasets.find((d) => d.type === 'detection') as Dataset
})
afterAll(async () => {
  await world?.dispose()
})

async function everyPage(
  jobId: string,
  filter: Parameters<Operations['listPage']>[1],
  perPage: number
) {
  const samples: Sample[] = []
  let total = -1
  for (let page = 1; total < 0 || samples.length < total; page++) {
    const listed = await ops.listPage(jobId, filter, page, perPage)
    total = listed.page.total
    if (listed.page.samples.length === 0) break
    samples.push(...listed.page.samples)
  }
  return { samples, total }
}

describe('datasets, labels, stats', () => {
  it('lists the demo datasets with their types, old- and new-version alike', async () => {
    const datasets = await ops.listDatasets()
    const { newVersion } = world.service.demo
    expect(datasets.map((d) => d.id).sort()).toEqual(
      [...world.service.demo.datasets.map((d) => d.id), newVersion?.dataset.id].sort()
    )
    // Made by data type, the new-version dataset is reviewed by its labels: it has boxes.
    expect(datasets.find((d) => d.id === newVersion?.dataset.id)).toMatchObject({
      type: 'detection',
      taskCount: 2
    })
    expect(classification).toBeDefined()
    expect(detection).toBeDefined()
    expect(await ops.getDataset(detection.id)).toEqual(detection)
  })

  it('lists labels with colors, and stats that add up', async () => {
    const labels = await ops.listLabels(classification.id)
    expect(labels.length).toBeGreaterThan(0)
    for (const label of labels) expect(label.color).toMatch(/^#[0-9a-f]{6}$/i)
    const stats = await ops.getStats(classification.id)
    expect(stats.tagged + stats.untagged).toBe(stats.all)
    expect(stats.untagged).toBeGreaterThan(0)
  })

  it('reports an unknown dataset as not_found with the service code', async () => {
    const error = await ops.getDataset('no-such-dataset').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TagdeckError)
    expect((error as TagdeckError).code).toBe('not_found')
    expect((error as TagdeckError).service?.errorCode).toBe('ModelArts.4352')
    expect((error as TagdeckError).service?.requestId).toBeTruthy()
  })
})

describe('show_images_by_tag (ListSamples)', () => {
  it('pages through everything without overlap or gaps', async () => {
    const stats = await ops.getStats(classification.id)
    const { samples, total } = await everyPage(classification.id, { kind: 'everything' }, 7)
    expect(total).toBe(stats.all)
    expect(samples).toHaveLength(total)
    expect(new Set(samples.map((s) => s.id)).size).toBe(total)
    expect(total).toBeGreaterThan(7) // really more than one page
  })

  it('untagged = __none__ = only unannotated images; no tag = only tagged ones', async () => {
    const stats = await ops.getStats(classification.id)
    const untagged = await everyPage(classification.id, { kind: 'untagged' }, 100)
    expect(untagged.total).toBe(stats.untagged)
    expect(untagged.samples.every((s) => s.tags.length === 0 && !s.annotated)).toBe(true)
    const sdkUntagged = await ops.showImagesByTag(classification.id, {
      tag: '__none__',
      perPage: 100,
      page: 1
    })
    expect(sdkUntagged.samples.map((s) => s.id)).toEqual(
      untagged.samples.slice(0, 100).map((s) => s.id)
    )

    const tagged = await ops.showImagesByTag(classification.id, { perPage: 100, page: 1 })
    expect(tagged.total).toBe(stats.tagged)
    expect(tagged.samples.every((s) => s.tags.length > 0)).toBe(true)
  })

  it('a tag filter returns only images with that tag, and its count matches the stats', async () => {
    const stats = await ops.getStats(classification.id)
    const label = stats.labels.find((l) => l.sampleCount > 0)
    expect(label).toBeDefined()
    const { samples, total } = await everyPage(
      classification.id,
      { kind: 'tag', tag: label?.name ?? '' },
      25
    )
    expect(total).toBe(label?.sampleCount)
    expect(samples.every((s) => s.tags.includes(label?.name ?? ''))).toBe(true)
  })

  it('gives thumbnail source URLs with each page', async () => {
    const listed = await ops.listPage(detection.id, { kind: 'everything' }, 1, 5)
    expect(listed.thumbSources).toHaveLength(listed.page.samples.length)
  })
})

describe('get_image_info_by_id(s) (DescribeSample)', () => {
  it('gives a detection image its boxes in pixels and its size', async () => {
    const { page } = await ops.listPage(detection.id, { kind: 'tagged' }, 1, 10)
    const first = page.samples[0] as Sample
    const sample = await ops.getImageInfoById(detection.id, first.id)
    expect(sample).toEqual(first)
    expect(sample.boxes.length).toBeGreaterThan(0)
    expect(sample.size?.width).toBeGreaterThan(0)
    for (const box of sample.boxes) {
      expect(box.x1).toBeLessThanOrEqual(box.x2)
      expect(box.y2).toBeLessThanOrEqual(sample.size?.height ?? 0)
      expect(sample.tags).toContain(box.tag)
    }
  })

  it('keeps request order and reports a missing id without throwing', async () => {
    const { page } = await ops.listPage(classification.id, { kind: 'everything' }, 1, 12)
    const ids = page.samples.map((s) => s.id)
    const asked = [...ids.slice(0, 6), 'missing-sample', ...ids.slice(6)]
    const results = await ops.getImageInfoByIds(classification.id, asked)
    expect(results.map((r) => r.id)).toEqual(asked)
    expect(results.map((r) => r.sample?.id ?? null)).toEqual(
      asked.map((id) => (id === 'missing-sample' ? null : id))
    )
    const missing = results[6]
    expect(missing?.error).toMatchObject({ code: 'not_found' })
    expect(results.filter((r) => r.error)).toHaveLength(1)
  })
})

describe('delete_samples / delete_selected_image (DeleteSamples)', () => {
  it('reports deleted, gone (already deleted) and per-id outcomes in order', async () => {
    const { page } = await ops.listPage(classification.id, { kind: 'untagged' }, 1, 3)
    const [a, b, c] = page.samples.map((s) => s.id) as [string, string, string]
    expect(await ops.deleteSelectedImage(classification.id, a)).toEqual({
      id: a,
      status: 'deleted'
    })
    const outcomes = await ops.deleteSamples(classification.id, [b, a, 'never-existed', c])
    expect(outcomes).toEqual([
      { id: b, status: 'deleted' },
      { id: a, status: 'gone', code: 'ModelArts.4420' },
      { id: 'never-existed', status: 'gone', code: 'ModelArts.4420' },
      { id: c, status: 'deleted' }
    ])
    const after = await ops.getImageInfoByIds(classification.id, [a, b, c])
    expect(after.every((r) => r.error?.code === 'not_found')).toBe(true)
  })

  it(`sends at most ${DELETE_CHUNK} ids per call`, async () => {
    const counter = countingFetch()
    const counted = buildClient(world.akskProfile, world.service.demo.sk, {
      ...quick,
      fetch: counter.fetch
    }).ops
    const ids = Array.from({ length: 230 }, (_, i) => `ghost-${i}`)
    const outcomes = await counted.deleteSamples(detection.id, ids)
    expect(outcomes.map((o) => o.id)).toEqual(ids)
    expect(outcomes.every((o) => o.status === 'gone')).toBe(true)
    expect(counter.calls.map((c) => c.path.endsWith('/samples/delete'))).toEqual([true, true, true])
  })
})

describe('resilience', () => {
  it('retries when the service answers 503, then succeeds', async () => {
    const counter = countingFetch()
    const counted = buildClient(world.akskProfile, world.service.demo.sk, {
      ...quick,
      fetch: counter.fetch
    }).ops
    await world.faults({ status: 503, count: 2 })
    const datasets = await counted.listDatasets()
    expect(datasets.length).toBe(world.service.demo.datasets.length + 1)
    expect(counter.calls.map((c) => c.status)).toEqual([503, 503, 200])
  })

  it('waits as long as Retry-After says when throttled (429)', async () => {
    const counter = countingFetch()
    const waits: number[] = []
    const sleep = async (ms: number) => void waits.push(ms)
    const counted = buildClient(world.akskProfile, world.service.demo.sk, {
      sleep,
      fetch: counter.fetch
    }).ops
    await world.faults({ status: 429, count: 1 })
    await counted.listLabels(detection.id)
    expect(counter.calls.map((c) => c.status)).toEqual([429, 200])
    expect(waits).toHaveLength(1)
    expect(waits[0]).toBeGreaterThanOrEqual(1000)
  })

  it('gives up on a 503 that lasts, with a retryable service error', async () => {
    const counter = countingFetch()
    const counted = buildClient(world.akskProfile, world.service.demo.sk, {
      ...quick,
      fetch: counter.fetch
    }).ops
    await world.faults({ status: 503, count: 10 })
    const error = await counted.getStats(classification.id).catch((e: unknown) => e)
    await world.faults({ clear: true })
    expect(error).toMatchObject({ code: 'service', service: { httpStatus: 503, retryable: true } })
    expect(counter.calls).toHaveLength(4)
  })

  it('does not retry a refused AK/SK signature', async () => {
    const counter = countingFetch()
    const wrong = buildClient(world.akskProfile, `${world.service.demo.sk}x`, {
      ...quick,
      fetch: counter.fetch
    }).ops
    const error = await wrong.listDatasets().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'auth', service: { httpStatus: 401, retryable: false } })
    expect(counter.calls).toHaveLength(1)
  })

  it('gets a new IAM token after the service expires tokens', async () => {
    const counter = countingFetch()
    const client = buildClient(world.passwordProfile, world.service.demo.password, {
      ...quick,
      fetch: counter.fetch
    })
    await client.ops.listDatasets()
    await client.ops.getStats(classification.id)
    const iamCalls = () => counter.calls.filter((c) => c.path === '/v3/auth/tokens')
    expect(iamCalls()).toHaveLength(1)
    await world.faults({ expireTokens: true })
    expect((await client.ops.getStats(classification.id)).all).toBeGreaterThan(0)
    expect(iamCalls()).toHaveLength(2)
    const statsCalls = counter.calls.filter((c) => c.path.endsWith('/stats')).map((c) => c.status)
    expect(statsCalls).toEqual([200, 401, 200])
  })

  it('refreshes a refused token once, not forever', async () => {
    // Every request carries a token the service never issued: one refresh, then the error.
    const counter = countingFetch((url, init) =>
      url.pathname.startsWith('/v2/')
        ? {
            ...init,
            headers: { ...(init.headers as Record<string, string>), 'X-Auth-Token': 'forged' }
          }
        : init
    )
    const client = buildClient(world.passwordProfile, world.service.demo.password, {
      ...quick,
      fetch: counter.fetch
    })
    const error = await client.ops.listDatasets().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'auth', service: { httpStatus: 401 } })
    expect(
      counter.calls.map((c) => `${c.path.startsWith('/v2/') ? 'api' : 'iam'} ${c.status}`)
    ).toEqual(['iam 201', 'api 401', 'iam 201', 'api 401'])
  })

  it('refuses a wrong IAM password without retrying', async () => {
    const counter = countingFetch()
    const client = buildClient(world.passwordProfile, 'wrong password', {
      ...quick,
      fetch: counter.fetch
    })
    const error = await client.ops.listDatasets().catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'auth' })
    expect(counter.calls).toHaveLength(1)
  })
})

describe('label changes (UpdateSamples) and verdicts (ReviewSamples, AcceptSamples)', () => {
  it('replaces labels from the raw list, keeping every property it does not understand', async () => {
    const { page } = await ops.listPage(detection.id, { kind: 'tagged' }, 1, 2)
    const [a, b] = page.samples.map((s) => s.id) as [string, string]
    const raw = (await ops.rawLabels(detection.id, a)) ?? []
    expect(raw.length).toBeGreaterThan(0)
    // A colleague's tool wrote a property of its own on the first box.
    const marked = raw.map((l, i) =>
      i === 0 ? { ...l, score: 0.42, property: { ...l.property, 'acme:note': 'occluded' } } : l
    )
    expect(await ops.replaceLabels(detection.id, [{ id: a, labels: marked }])).toEqual([
      { id: a, status: 'updated' }
    ])
    // Tagdeck moves the last box and sends the whole list back: the mark survives.
    const mine = (await ops.rawLabels(detection.id, a)) ?? []
    expect(mine[0]).toMatchObject({ score: 0.42, property: { 'acme:note': 'occluded' } })
    const moved = mine.map((l, i) =>
      i === mine.length - 1
        ? {
            ...l,
            property: {
              ...l.property,
              '@modelarts:feature': [
                [1, 2],
                [30, 40]
              ]
            }
          }
        : l
    )
    const outcomes = await ops.replaceLabels(detection.id, [
      { id: a, labels: moved },
      { id: 'never-existed', labels: [] },
      { id: b, labels: [] }
    ])
    expect(outcomes).toEqual([
      { id: a, status: 'updated' },
      { id: 'never-existed', status: 'gone', code: 'ModelArts.4420' },
      { id: b, status: 'updated' }
    ])
    expect(await ops.rawLabels(detection.id, a)).toEqual(moved)
    const seen = await ops.getImageInfoById(detection.id, a)
    expect(seen.boxes.at(-1)).toMatchObject({ x1: 1, y1: 2, x2: 30, y2: 40 })
    expect((await ops.getImageInfoById(detection.id, b)).tags).toEqual([])
    expect(await ops.rawLabels(detection.id, 'never-existed')).toBeNull()
  })

  it("sends verdicts on a task's samples; refuses them on a dataset, or when the task is not reviewing", async () => {
    const cloud = world.service.demo.newVersion
    const [labeling, accepting] = cloud?.tasks ?? []
    const job = taskJobId(cloud?.dataset.id ?? '', labeling?.id ?? '')
    const { page } = await ops.listPage(job, { kind: 'everything' }, 1, 2)
    const [a] = page.samples.map((s) => s.id)
    await ops.judge(job, 'review', [
      { sample_id: a ?? '', accept: false, comment: 'loose box', score: 'C' }
    ])
    // The service now lists it among the task's rejected samples.
    const api = buildClient(world.akskProfile, world.service.demo.sk, quick).api
    const rejected = await api.call(
      'GET',
      `/v2/${api.projectId}/datasets/${cloud?.dataset.id}/workforce-tasks/${labeling?.id}/data-annotations/samples`,
      { sample_state: '__REJECTED__', limit: 100, offset: 0 },
      undefined,
      WireSampleList,
      {}
    )
    expect(rejected.data.samples.map((s) => s.sample_id)).toEqual([a])

    await expect(
      ops.judge(detection.id, 'review', [{ sample_id: a ?? '', accept: true }])
    ).rejects.toMatchObject({ code: 'invalid_input' })
    const other = taskJobId(cloud?.dataset.id ?? '', accepting?.id ?? '')
    await expect(
      ops.judge(other, 'review', [{ sample_id: a ?? '', accept: true }])
    ).rejects.toMatchObject({ code: 'service', service: { errorCode: 'ModelArts.4621' } })
  })

  it("applies a reviewer's edit, merges a colleague's change to another box, and reports a clash without sending", async () => {
    const { page } = await ops.listPage(detection.id, { kind: 'tagged' }, 3, 3)
    const sample = page.samples.find((s) => s.boxes.length >= 2)
    if (!sample) throw new Error('the demo page has no image with two boxes')
    const base = labelSetOf(sample)
    const origins = base.boxes.map((_, i) => i)
    const [first, second] = base.boxes as [Box, Box]
    const moved = { ...first, x1: first.x1 + 1, x2: first.x2 + 1 }
    const edit: LabelEdit = {
      sampleId: sample.id,
      base,
      mine: { ...base, boxes: [moved, ...base.boxes.slice(1)] },
      origins,
      cleared: false
    }
    // A colleague relabels the second box first, from their own client.
    const theirs = (await ops.rawLabels(detection.id, sample.id)) ?? []
    const secondAt = theirs.findIndex((l) => l.name === second.tag)
    const relabelled = theirs.map((l, i) => (i === secondAt ? { ...l, name: 'colleague-tag' } : l))
    await ops.replaceLabels(detection.id, [{ id: sample.id, labels: relabelled }])

    const [merged] = await ops.applyLabelEdits(detection.id, [edit])
    expect(merged).toMatchObject({ sampleId: sample.id, status: 'merged' })
    const now = await ops.getImageInfoById(detection.id, sample.id)
    expect(now.boxes[0]).toEqual(moved)
    expect(now.boxes[secondAt]?.tag).toBe('colleague-tag')
    // Sent again (a crash before the answer was stored): nothing changes.
    expect((await ops.applyLabelEdits(detection.id, [edit]))[0]?.status).toBe('unchanged')

    // Both move the first box, differently: a conflict, and the service keeps theirs.
    const mineAgain = labelSetOf(now)
    const clash: LabelEdit = {
      sampleId: sample.id,
      base: mineAgain,
      mine: { ...mineAgain, boxes: [{ ...moved, y2: moved.y2 + 5 }, ...mineAgain.boxes.slice(1)] },
      origins: mineAgain.boxes.map((_, i) => i),
      cleared: false
    }
    const held = (await ops.rawLabels(detection.id, sample.id)) ?? []
    const theirMove = held.map((l, i) =>
      i === 0
        ? {
            ...l,
            property: {
              ...l.property,
              '@modelarts:feature': [
                [moved.x1, moved.y1 - 3],
                [moved.x2, moved.y2]
              ]
            }
          }
        : l
    )
    await ops.replaceLabels(detection.id, [{ id: sample.id, labels: theirMove }])
    const [conflict, gone] = await ops.applyLabelEdits(detection.id, [
      clash,
      { ...clash, sampleId: 'never-existed' }
    ])
    expect(conflict).toMatchObject({ status: 'conflict', conflict: { reason: 'boxes' } })
    expect(conflict?.conflict?.boxes).toHaveLength(1)
    expect(gone).toMatchObject({ sampleId: 'never-existed', status: 'gone' })
    expect(await ops.rawLabels(detection.id, sample.id)).toEqual(theirMove)
  })

  it('parks verdicts on a task in the wrong state and sorts out a sample the task does not hold', async () => {
    const cloud = world.service.demo.newVersion
    const [labeling, accepting] = cloud?.tasks ?? []
    const job = taskJobId(cloud?.dataset.id ?? '', labeling?.id ?? '')
    const { page } = await ops.listPage(job, { kind: 'everything' }, 1, 3)
    const [a, b] = page.samples.map((s) => s.id) as [string, string]
    const verdict = (sampleId: string, accept: boolean) => ({
      sampleId,
      accept,
      comment: accept ? '' : 'box too loose',
      score: 'B' as const
    })
    expect(
      await ops.applyVerdicts(job, 'review', [
        verdict(a, true),
        verdict('not-in-task', false),
        verdict(b, false)
      ])
    ).toEqual([
      { sampleId: a, status: 'done' },
      { sampleId: 'not-in-task', status: 'gone', code: 'ModelArts.4420' },
      { sampleId: b, status: 'done' }
    ])
    const other = taskJobId(cloud?.dataset.id ?? '', accepting?.id ?? '')
    const parked = await ops.applyVerdicts(other, 'review', [verdict(a, true)])
    expect(parked).toMatchObject([{ sampleId: a, status: 'parked', code: 'ModelArts.4621' }])
  })
})
