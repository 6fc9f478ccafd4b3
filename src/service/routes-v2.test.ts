import { existsSync } from 'node:fs'
import { connect } from 'node:net'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  ErrorBody,
  SampleList,
  startWorld,
  Stats,
  WireSample,
  type World
} from '../../testing/service-world'

// Every v2 route over HTTP against a real service and SQLite file (api.md, "v2 routes").
let world: World
let classification: string
let detection: string

beforeAll(async () => {
  world = await startWorld({ demoSize: 130 })
  classification = world.demo.datasets.find((d) => d.type === 0)?.id ?? ''
  detection = world.demo.datasets.find((d) => d.type === 1)?.id ?? ''
})
afterAll(async () => {
  await world?.close()
})

const samplesPath = (dataset: string) => world.v2(`/datasets/${dataset}/data-annotations/samples`)

async function list(dataset: string, query: Record<string, string>) {
  const answer = await world.call('GET', samplesPath(dataset), { query })
  expect(answer.status, answer.text).toBe(200)
  return SampleList.parse(answer.json)
}

async function stats(dataset: string) {
  const answer = await world.call('GET', world.v2(`/datasets/${dataset}/data-annotations/stats`))
  return Stats.parse(answer.json)
}

async function everything(dataset: string, query: Record<string, string>, limit: number) {
  const ids: string[] = []
  for (let page = 0; ; page++) {
    const { samples } = await list(dataset, {
      ...query,
      offset: String(page),
      limit: String(limit)
    })
    ids.push(...samples.map((s) => s.sample_id))
    if (samples.length < limit) return ids
  }
}

describe('datasets', () => {
  it('lists the project datasets, paged by page index', async () => {
    const answer = await world.call('GET', world.v2('/datasets'))
    const body = z
      .object({
        total_number: z.number(),
        datasets: z.array(
          z.object({ dataset_id: z.string(), dataset_type: z.number(), create_time: z.number() })
        )
      })
      .parse(answer.json)
    expect(body.total_number).toBe(2)
    expect(body.datasets.map((d) => [d.dataset_id, d.dataset_type])).toEqual([
      [classification, 0],
      [detection, 1]
    ])
    const second = await world.call('GET', world.v2('/datasets'), {
      query: { offset: '1', limit: '1' }
    })
    expect(second.json).toMatchObject({ total_number: 2, datasets: [{ dataset_id: detection }] })
    const past = await world.call('GET', world.v2('/datasets'), {
      query: { offset: '2', limit: '1' }
    })
    expect(past.json).toEqual({ total_number: 2, datasets: [] })
  })

  it('describes one dataset, and refuses an unknown one with ModelArts.4352', async () => {
    const one = await world.call('GET', world.v2(`/datasets/${detection}`))
    expect(one.json).toMatchObject({
      dataset_id: detection,
      dataset_name: 'Shapes: detection',
      dataset_type: 1,
      total_sample_count: 130
    })
    const missing = await world.call('GET', world.v2('/datasets/NoSuchDataset'))
    expect(missing.status).toBe(400)
    expect(ErrorBody.parse(missing.json).error_code).toBe('ModelArts.4352')
    expect(missing.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/)
  })

  it('lists labels with distinct colours', async () => {
    const answer = await world.call(
      'GET',
      world.v2(`/datasets/${classification}/data-annotations/labels`)
    )
    const body = z
      .object({
        total_number: z.number(),
        labels: z.array(
          z.object({
            name: z.string(),
            type: z.literal(0),
            property: z.object({ '@modelarts:color': z.string().regex(/^#[0-9a-f]{6}$/) })
          })
        )
      })
      .parse(answer.json)
    expect(body.total_number).toBe(5)
    expect(body.labels.map((l) => l.name)).toContain('花')
    expect(new Set(body.labels.map((l) => l.property['@modelarts:color'])).size).toBe(5)
  })

  it('gives stats that add up', async () => {
    const s = await stats(detection)
    expect(s.sample_stats.all).toBe(130)
    expect(s.sample_stats.manual_annotation + s.sample_stats.un_annotation).toBe(130)
    expect(s.sample_stats.un_annotation).toBeGreaterThan(0)
    expect(s.sample_stats.deleted).toBe(0)
    for (const label of s.label_stats)
      expect(label.count).toBeGreaterThanOrEqual(label.sample_count)
  })
})

describe('ListSamples', () => {
  it('pages everything in stable (time, id) order: no overlap, no gap, last page partial', async () => {
    const ids = await everything(classification, { order: 'asc' }, 12)
    expect(ids).toHaveLength(130)
    expect(new Set(ids).size).toBe(130)
    const last = await list(classification, { offset: '10', limit: '12', order: 'asc' })
    expect(last.sample_count).toBe(130)
    expect(last.samples).toHaveLength(10)
    const past = await list(classification, { offset: '11', limit: '12', order: 'asc' })
    expect(past).toEqual({ sample_count: 130, samples: [] })
    const all = await list(classification, { limit: '100', order: 'asc' })
    const times = all.samples.map((s) => [s.sample_time, s.sample_id] as const)
    const sorted = [...times].sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : 1))
    expect(times).toEqual(sorted)
    const desc = await everything(classification, { order: 'desc' }, 50)
    expect(desc).toEqual([...ids].reverse())
    // Unasked, the newest come first, as the cloud lists them.
    expect(await everything(classification, {}, 50)).toEqual(desc)
  })

  it('defaults to 10 a page', async () => {
    expect((await list(detection, {})).samples).toHaveLength(10)
  })

  it('filters by sample_state and label_name with counts that match the stats', async () => {
    const s = await stats(classification)
    const untagged = await list(classification, { sample_state: '__NONE__', limit: '100' })
    expect(untagged.sample_count).toBe(s.sample_stats.un_annotation)
    expect(
      untagged.samples.every((x) => x.labels.length === 0 && x.sample_status === 'UN_ANNOTATION')
    ).toBe(true)
    const tagged = await everything(classification, { sample_state: '__ALL__' }, 100)
    expect(tagged).toHaveLength(s.sample_stats.manual_annotation)
    for (const label of s.label_stats) {
      const page = await list(classification, { label_name: label.name, limit: '100' })
      expect(page.sample_count).toBe(label.sample_count)
      expect(page.samples.every((x) => x.labels.some((l) => l.name === label.name))).toBe(true)
    }
    const none = await list(classification, { label_name: 'circle', sample_state: '__NONE__' })
    expect(none).toEqual({ sample_count: 0, samples: [] })
    const unknown = await list(classification, { label_name: 'no-such-label' })
    expect(unknown).toEqual({ sample_count: 0, samples: [] })
  })

  it('gives detection samples their boxes, size, and signed source URLs (thumbnails on request)', async () => {
    const page = await list(detection, {
      sample_state: '__ALL__',
      limit: '5',
      process_parameter: 'image/resize,m_lfit,h_200'
    })
    for (const sample of page.samples) {
      const [w, h] = sample.metadata['@modelarts:size']
      for (const label of sample.labels) {
        expect(label).toMatchObject({ type: 1, property: { '@modelarts:shape': 'bndbox' } })
        const [[x1, y1], [x2, y2]] = z
          .tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])])
          .parse(label.property['@modelarts:feature'])
        expect(0 <= x1 && x1 < x2 && x2 <= w && 0 <= y1 && y1 < y2 && y2 <= h).toBe(true)
      }
      const source = new URL(sample.source)
      expect(source.origin).toBe(world.service.url)
      expect(source.pathname).toBe(`${samplesPath(detection)}/${sample.sample_id}/image`)
      expect(source.searchParams.get('x-image-process')).toBe('image/resize,m_lfit,h_200')
      expect(Number(source.searchParams.get('expires'))).toBeGreaterThan(Date.now() / 1000)
    }
    const original = await list(detection, { limit: '1' })
    expect(new URL(original.samples[0]?.source ?? '').searchParams.has('x-image-process')).toBe(
      false
    )
  })
})

describe('ListSamples answers under backpressure', () => {
  // Answers are sent from a buffer the service reuses (wire-json.ts): one the socket has not
  // taken yet must not be overwritten by the next. Pipelined requests on one connection that is
  // not read for a while fill the socket, so later answers queue behind earlier ones.
  it('keeps every answer intact when the socket cannot take it at once', async () => {
    const token = await world.token()
    const url = new URL(world.service.url)
    const targets = Array.from({ length: 40 }, (_, i) => {
      const query = new URLSearchParams({
        limit: '100',
        offset: String(i % 2),
        ...(i % 3 === 0 ? { process_parameter: 'image/resize,m_lfit,h_200' } : {}),
        ...(i % 5 === 0 ? { order: 'desc' } : {})
      })
      return `${samplesPath(i % 4 === 3 ? detection : classification)}?${query}`
    })
    const raw = targets
      .map(
        (target, i) =>
          `GET ${target} HTTP/1.1\r\nHost: ${url.host}\r\nX-Auth-Token: ${token}\r\n` +
          `Connection: ${i === targets.length - 1 ? 'close' : 'keep-alive'}\r\n\r\n`
      )
      .join('')
    const received = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = []
      const socket = connect(Number(url.port), url.hostname, () => {
        socket.pause()
        socket.write(raw)
        setTimeout(() => socket.resume(), 300)
      })
      socket.on('data', (chunk: Buffer) => chunks.push(chunk))
      socket.on('end', () => resolve(Buffer.concat(chunks)))
      socket.on('error', reject)
    })
    const bodies: string[] = []
    for (let at = 0; at < received.length;) {
      const headEnd = received.indexOf('\r\n\r\n', at)
      const head = received.subarray(at, headEnd).toString('latin1')
      expect(head).toMatch(/^HTTP\/1\.1 200 /)
      const length = Number(/content-length: (\d+)/i.exec(head)?.[1])
      bodies.push(received.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8'))
      at = headEnd + 4 + length
    }
    expect(bodies).toHaveLength(targets.length)
    expect(received.length).toBeGreaterThan(1024 * 1024)
    // Signatures may move to the next 5-minute step between the two reads.
    const unsigned = (text: string) => text.replace(/expires=\d+&signature=[0-9a-f]+/g, 'SIGNED')
    for (const [i, target] of targets.entries()) {
      const alone = await world.call('GET', target)
      expect(unsigned(bodies[i] ?? '')).toBe(unsigned(alone.text))
    }
  })
})

describe('DescribeSample', () => {
  it('answers one sample unwrapped, the same as in the listing', async () => {
    const [first] = (await list(detection, { limit: '1' })).samples
    const answer = await world.call('GET', `${samplesPath(detection)}/${first?.sample_id}`)
    expect(answer.status).toBe(200)
    const one = WireSample.parse(answer.json)
    expect({ ...one, source: '' }).toEqual({ ...first, source: '' })
  })

  it('refuses an unknown sample with ModelArts.4420, and a sample of another dataset', async () => {
    const missing = await world.call('GET', `${samplesPath(detection)}/deadbeef`)
    expect(missing.status).toBe(400)
    expect(ErrorBody.parse(missing.json).error_code).toBe('ModelArts.4420')
    const [first] = (await list(classification, { limit: '1' })).samples
    const elsewhere = await world.call('GET', `${samplesPath(detection)}/${first?.sample_id}`)
    expect(ErrorBody.parse(elsewhere.json).error_code).toBe('ModelArts.4420')
  })
})

describe('DeleteSamples', () => {
  it('deletes, reports per id in request order, and lists and stats follow', async () => {
    const before = await stats(detection)
    const untagged = (await list(detection, { sample_state: '__NONE__', limit: '2' })).samples
    const tagged = (await list(detection, { sample_state: '__ALL__', limit: '2' })).samples
    const victims = [...untagged, ...tagged].map((s) => s.sample_id)
    const ok = await world.call('POST', `${samplesPath(detection)}/delete`, {
      body: { samples: victims.slice(0, 1) }
    })
    expect(ok.json).toEqual({ success: true })
    const mixed = await world.call('POST', `${samplesPath(detection)}/delete`, {
      body: {
        samples: [victims[1], victims[0], 'never-existed', victims[2], victims[3], victims[3]]
      }
    })
    const notFound = { success: false, error_code: 'ModelArts.4420' }
    expect(mixed.json).toMatchObject({
      success: false,
      results: [
        { success: true },
        notFound,
        notFound,
        { success: true },
        { success: true },
        notFound
      ]
    })

    const after = await stats(detection)
    expect(after.sample_stats).toEqual({
      all: 126,
      total: 126,
      un_annotation: before.sample_stats.un_annotation - 2,
      manual_annotation: before.sample_stats.manual_annotation - 2,
      deleted: 4
    })
    const removedBoxes = tagged.flatMap((s) => s.labels.map((l) => l.name))
    for (const label of after.label_stats) {
      const old = before.label_stats.find((l) => l.name === label.name)
      expect(label.count).toBe(
        (old?.count ?? 0) - removedBoxes.filter((n) => n === label.name).length
      )
      const page = await list(detection, { label_name: label.name, limit: '100' })
      expect(page.sample_count).toBe(label.sample_count)
      expect(page.samples.some((s) => victims.includes(s.sample_id))).toBe(false)
    }
    const ids = await everything(detection, {}, 100)
    expect(ids).toHaveLength(126)
    expect(ids.some((id) => victims.includes(id))).toBe(false)
  })

  it('removes the image files too with delete_source: true, keeps them without', async () => {
    const [keep, drop] = (
      await list(detection, { limit: '2', process_parameter: 'image/resize,m_lfit,h_200' })
    ).samples
    for (const s of [keep, drop]) expect((await fetch(s?.source ?? '')).status).toBe(200)
    const original = (id: string) =>
      path.join(world.dir, 'images', detection, id.slice(0, 2), `${id}.jpg`)
    const thumb = (id: string) =>
      path.join(world.dir, 'thumbs', detection, id.slice(0, 2), `${id}.h200.jpg`)
    const [k, d] = [keep?.sample_id ?? '', drop?.sample_id ?? '']
    expect([existsSync(original(k)), existsSync(thumb(k)), existsSync(original(d))]).toEqual([
      true,
      true,
      true
    ])
    await world.call('POST', `${samplesPath(detection)}/delete`, { body: { samples: [k] } })
    await world.call('POST', `${samplesPath(detection)}/delete`, {
      body: { samples: [d], delete_source: true }
    })
    expect([existsSync(original(k)), existsSync(thumb(k))]).toEqual([true, false])
    expect([existsSync(original(d)), existsSync(thumb(d))]).toEqual([false, false])
    expect((await fetch(drop?.source ?? '')).status).toBe(404)
  })
})
