import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SampleList, startWorld, Stats, WireSample, type World } from '../../testing/service-world'

// UpdateSamples and UpdateWorkforceTaskSamples over HTTP against a real service and SQLite file:
// a sample's whole label list replaced, every property kept, and every listing and count after.
let world: World
let detection: string
let classification: string

beforeAll(async () => {
  world = await startWorld({ demoSize: 60 })
  detection = world.demo.datasets.find((d) => d.type === 1)?.id ?? ''
  classification = world.demo.datasets.find((d) => d.type === 0)?.id ?? ''
})
afterAll(async () => {
  await world?.close()
})

const samplesPath = (dataset: string) => world.v2(`/datasets/${dataset}/data-annotations/samples`)
const put = (path: string, body: unknown) => world.call('PUT', path, { body })
const describeSample = async (dataset: string, id: string) =>
  WireSample.parse((await world.call('GET', `${samplesPath(dataset)}/${id}`)).json)
const list = async (dataset: string, query: Record<string, string>) =>
  SampleList.parse(
    (await world.call('GET', samplesPath(dataset), { query: { limit: '100', ...query } })).json
  )
const stats = async (dataset: string) =>
  Stats.parse(
    (await world.call('GET', world.v2(`/datasets/${dataset}/data-annotations/stats`))).json
  )

const box = (name: string, [x1, y1, x2, y2]: number[], extra: Record<string, unknown> = {}) => ({
  name,
  type: 1,
  property: {
    '@modelarts:shape': 'bndbox',
    '@modelarts:feature': [
      [x1, y1],
      [x2, y2]
    ],
    ...extra
  }
})

describe('UpdateSamples', () => {
  it("replaces a detection sample's boxes, keeps properties it does not know, and counts follow", async () => {
    const [target] = (await list(detection, { sample_state: '__ALL__', limit: '1' })).samples
    const id = target?.sample_id ?? ''
    const before = await stats(detection)
    const labels = [
      box('circle', [10, 20, 110, 120]),
      // A property of the client's own and a polygon: kept whole, answered as written.
      box('square', [200, 40, 260, 90], { '@modelarts:occluded': true, note: 'checked' }),
      {
        name: 'triangle',
        type: 1,
        property: {
          '@modelarts:shape': 'polygon',
          '@modelarts:feature': [
            [1, 1],
            [30, 2],
            [15, 40]
          ]
        }
      }
    ]
    const answer = await put(samplesPath(detection), {
      samples: [{ sample_id: id, sample_type: 0, labels }]
    })
    expect(answer.status, answer.text).toBe(200)
    expect(answer.json).toEqual({ success: true, results: [{ success: true }] })

    const after = await describeSample(detection, id)
    expect(after.labels).toEqual(labels)
    // The same in a listing (the listing's bytes are written by another path).
    const listed = (await list(detection, { label_name: 'triangle' })).samples.find(
      (s) => s.sample_id === id
    )
    expect(listed?.labels).toEqual(labels)

    const count = (s: typeof before, name: string) =>
      s.label_stats.find((l) => l.name === name)?.count ?? 0
    const was = (name: string) => target?.labels.filter((l) => l.name === name).length ?? 0
    const now = await stats(detection)
    for (const name of ['circle', 'square', 'triangle', 'diamond', 'cross'])
      expect(count(now, name), name).toBe(
        count(before, name) - was(name) + labels.filter((l) => l.name === name).length
      )
  })

  it('an empty label list (or none) untags a sample; it moves from tagged to untagged listings', async () => {
    const tagged = (await list(classification, { sample_state: '__ALL__' })).samples
    const [a, b] = tagged.map((s) => s.sample_id)
    const before = await stats(classification)
    const answer = await put(samplesPath(classification), {
      samples: [{ sample_id: a, labels: [] }, { sample_id: b }]
    })
    expect(answer.json).toEqual({ success: true, results: [{ success: true }, { success: true }] })
    const untagged = (await list(classification, { sample_state: '__NONE__' })).samples.map(
      (s) => s.sample_id
    )
    expect(untagged).toEqual(expect.arrayContaining([a, b]))
    const nowTagged = (await list(classification, { sample_state: '__ALL__' })).samples
    expect(nowTagged.map((s) => s.sample_id)).not.toContain(a)
    expect((await stats(classification)).sample_stats.un_annotation).toBe(
      before.sample_stats.un_annotation + 2
    )
  })

  it('re-tags a classification sample; a new label name joins the label list', async () => {
    const [target] = (await list(classification, { sample_state: '__ALL__' })).samples
    const id = target?.sample_id ?? ''
    const answer = await put(samplesPath(classification), {
      samples: [{ sample_id: id, labels: [{ name: 'zebra', type: 0 }] }]
    })
    expect(answer.json).toEqual({ success: true, results: [{ success: true }] })
    expect((await describeSample(classification, id)).labels).toEqual([
      { name: 'zebra', type: 0, property: {} }
    ])
    const zebra = await list(classification, { label_name: 'zebra' })
    expect(zebra.samples.map((s) => s.sample_id)).toEqual([id])
    expect((await stats(classification)).label_stats.find((l) => l.name === 'zebra')).toMatchObject(
      { count: 1, sample_count: 1 }
    )
    const old = target?.labels[0]?.name ?? ''
    const stillOld = await list(classification, { label_name: old })
    expect(stillOld.samples.map((s) => s.sample_id)).not.toContain(id)
  })

  it('answers per sample in request order: an unknown sample is not written, the rest are', async () => {
    const [target] = (await list(detection, { sample_state: '__ALL__' })).samples
    const id = target?.sample_id ?? ''
    const answer = await put(samplesPath(detection), {
      samples: [
        { sample_id: 'never-existed', labels: [box('circle', [1, 1, 5, 5])] },
        { sample_id: id, labels: [box('cross', [5, 5, 50, 50])] }
      ]
    })
    expect(answer.json).toMatchObject({
      success: false,
      results: [{ success: false, error_code: 'ModelArts.4420' }, { success: true }]
    })
    expect((await describeSample(detection, id)).labels).toEqual([box('cross', [5, 5, 50, 50])])
  })

  it('refuses a malformed body with a clear error and writes nothing', async () => {
    const [target] = (await list(detection, { sample_state: '__ALL__' })).samples
    const id = target?.sample_id ?? ''
    const before = await describeSample(detection, id)
    for (const body of [
      {},
      { samples: [] },
      { samples: [{ sample_id: id, labels: [{ type: 1 }] }] },
      { samples: [{ sample_id: id, labels: 'circle' }] },
      { samples: [{ sample_id: '../etc', labels: [] }] }
    ]) {
      const answer = await put(samplesPath(detection), body)
      expect(answer.status, JSON.stringify(body)).toBe(400)
      expect(answer.json).toMatchObject({ error_code: 'ModelArts.0104' })
    }
    expect(await describeSample(detection, id)).toEqual(before)
  })
})

describe('UpdateWorkforceTaskSamples', () => {
  it("updates a task's sample (the dataset's too); a sample outside the task is not found there", async () => {
    const cloud = world.demo.newVersion
    const [boxes, tags] = cloud?.tasks ?? []
    const taskPath = (task: string) =>
      world.v2(`/datasets/${cloud?.dataset.id}/workforce-tasks/${task}/data-annotations/samples`)
    const taskList = async (task: string, query: Record<string, string> = {}) =>
      SampleList.parse(
        (await world.call('GET', taskPath(task), { query: { limit: '100', ...query } })).json
      )
    const mine = (await taskList(tags?.id ?? '', { sample_state: '__ALL__' })).samples[0]
    const theirs = (await taskList(boxes?.id ?? '')).samples[0]
    const answer = await put(taskPath(tags?.id ?? ''), {
      samples: [
        { sample_id: mine?.sample_id, labels: [] },
        { sample_id: theirs?.sample_id, labels: [] }
      ]
    })
    expect(answer.json).toMatchObject({
      success: false,
      results: [{ success: true }, { success: false, error_code: 'ModelArts.4420' }]
    })
    const untagged = await taskList(tags?.id ?? '', { sample_state: '__NONE__' })
    expect(untagged.samples.map((s) => s.sample_id)).toContain(mine?.sample_id)
    // The other task's sample kept its labels.
    const again = (await taskList(boxes?.id ?? '')).samples.find(
      (s) => s.sample_id === theirs?.sample_id
    )
    expect(again?.labels).toEqual(theirs?.labels)
  })
})
