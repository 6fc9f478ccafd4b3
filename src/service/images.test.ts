import { readdir } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { SampleList, startWorld, type World } from '../../testing/service-world'

// Image URLs: real JPEGs, thumbnails of the asked size cached on disk, ETag/304, expiry and
// tampering refused; and detection boxes that frame the shapes actually drawn.
let world: World
let detection: string

beforeAll(async () => {
  world = await startWorld({ demoSize: 40 })
  detection = world.demo.datasets.find((d) => d.type === 1)?.id ?? ''
})
afterAll(async () => {
  await world?.close()
})

/** A page of the detection job, oldest first (the samples these tests were written against). */
async function page(query: Record<string, string>) {
  const answer = await world.call(
    'GET',
    world.v2(`/datasets/${detection}/data-annotations/samples`),
    { query: { order: 'asc', ...query } }
  )
  return SampleList.parse(answer.json).samples
}

const THUMB = 'image/resize,m_lfit,h_200'
const bytes = async (response: Response) => Buffer.from(await response.arrayBuffer())

describe('image URLs', () => {
  it('serve the original at its listed size, then a 200 px high thumbnail, both JPEG', async () => {
    const [sample] = await page({ limit: '1' })
    const raw = await world.call(
      'GET',
      world.v2(`/datasets/${detection}/data-annotations/samples`),
      {
        query: { limit: '1' }
      }
    )
    // Not drawn yet, so its size in bytes is not known yet.
    expect(JSON.stringify(raw.json)).not.toContain('sample_size')
    const [width, height] = sample?.metadata['@modelarts:size'] ?? [0, 0]
    const original = await fetch(sample?.source ?? '')
    expect(original.status).toBe(200)
    expect(original.headers.get('content-type')).toBe('image/jpeg')
    const image = await bytes(original)
    expect(await sharp(image).metadata()).toMatchObject({ format: 'jpeg', width, height })
    // Drawn on first request; from then on the sample reports its real size in bytes.
    const described = await world.call(
      'GET',
      world.v2(`/datasets/${detection}/data-annotations/samples/${sample?.sample_id}`)
    )
    expect(described.json).toMatchObject({ sample_size: image.length })

    const [thumbSample] = await page({ limit: '1', process_parameter: THUMB })
    const thumb = await fetch(thumbSample?.source ?? '')
    const meta = await sharp(await bytes(thumb)).metadata()
    expect(meta).toMatchObject({ format: 'jpeg', height: 200 })
    expect(meta.width).toBe(Math.round((width * 200) / height))
    const cached = await readdir(path.join(world.dir, 'thumbs', detection), { recursive: true })
    expect(cached).toContain(
      path.join(sample?.sample_id.slice(0, 2) ?? '', `${sample?.sample_id}.h200.jpg`)
    )
  })

  it('answers 304 to a matching If-None-Match, with caching headers', async () => {
    const [sample] = await page({ limit: '1', offset: '3', process_parameter: THUMB })
    const first = await fetch(sample?.source ?? '')
    const etag = first.headers.get('etag') ?? ''
    expect(etag).toMatch(/^".+"$/)
    expect(first.headers.get('cache-control')).toMatch(/max-age=\d+/)
    const again = await fetch(sample?.source ?? '', { headers: { 'If-None-Match': etag } })
    expect(again.status).toBe(304)
    expect(again.headers.get('etag')).toBe(etag)
    const other = await fetch(sample?.source ?? '', { headers: { 'If-None-Match': '"other"' } })
    expect(other.status).toBe(200)
  })

  it('refuses tampered URLs and expired ones, needing no other credentials', async () => {
    const [a, b] = await page({ limit: '2', process_parameter: THUMB })
    const url = new URL(a?.source ?? '')
    const status = async (change: (u: URL) => void) => {
      const copy = new URL(url)
      change(copy)
      const response = await fetch(copy)
      return [
        response.status,
        z.object({ error_code: z.string() }).parse(await response.json()).error_code
      ]
    }
    const mismatch = [403, 'SignatureDoesNotMatch']
    expect(
      await status((u) =>
        u.searchParams.set('expires', String(Number(u.searchParams.get('expires')) + 60))
      )
    ).toEqual(mismatch)
    expect(await status((u) => u.searchParams.delete('x-image-process'))).toEqual(mismatch)
    expect(
      await status((u) => u.searchParams.set('x-image-process', 'image/resize,m_lfit,h_300'))
    ).toEqual(mismatch)
    expect(
      await status((u) => (u.pathname = u.pathname.replace(a?.sample_id ?? '', b?.sample_id ?? '')))
    ).toEqual(mismatch)
    expect(await status((u) => u.searchParams.set('signature', 'f'.repeat(64)))).toEqual(mismatch)

    world.clock.offsetMs = 3601_000
    try {
      expect(await status(() => {})).toEqual([403, 'AccessDenied'])
    } finally {
      world.clock.offsetMs = 0
    }
    expect((await fetch(url)).status).toBe(200)
  })
})

describe('demo detection images', () => {
  it('draw every box as a shape of its label colour that fills the box edge to edge', async () => {
    const labels = z
      .object({
        labels: z.array(
          z.object({ name: z.string(), property: z.object({ '@modelarts:color': z.string() }) })
        )
      })
      .parse(
        (await world.call('GET', world.v2(`/datasets/${detection}/data-annotations/labels`))).json
      ).labels
    const colour = new Map(labels.map((l) => [l.name, l.property['@modelarts:color']]))
    const samples = await page({ limit: '6', sample_state: '__ALL__' })
    let boxes = 0
    for (const sample of samples) {
      const { data, info } = await sharp(await bytes(await fetch(sample.source)))
        .raw()
        .toBuffer({ resolveWithObject: true })
      const near = (x: number, y: number, hex: string) => {
        const i = (y * info.width + x) * info.channels
        const want = [1, 3, 5].map((o) => parseInt(hex.slice(o, o + 2), 16))
        return want.every((v, c) => Math.abs((data[i + c] ?? 0) - v) < 48)
      }
      for (const label of sample.labels) {
        const [[x1, y1], [x2, y2]] = z
          .tuple([z.tuple([z.number(), z.number()]), z.tuple([z.number(), z.number()])])
          .parse(label.property['@modelarts:feature'])
        const hex = colour.get(label.name) ?? ''
        // The pixels of the label's colour, looked for in and a little around the box.
        let [minX, minY, maxX, maxY] = [Infinity, Infinity, -1, -1]
        for (let y = Math.max(0, y1 - 5); y < Math.min(info.height, y2 + 5); y++)
          for (let x = Math.max(0, x1 - 5); x < Math.min(info.width, x2 + 5); x++)
            if (near(x, y, hex))
              [minX, minY, maxX, maxY] = [
                Math.min(minX, x),
                Math.min(minY, y),
                Math.max(maxX, x),
                Math.max(maxY, y)
              ]
        expect(
          near(Math.round((x1 + x2) / 2), Math.round((y1 + y2) / 2), hex),
          `${label.name} centre`
        ).toBe(true)
        for (const [got, want] of [
          [minX, x1],
          [minY, y1],
          [maxX + 1, x2],
          [maxY + 1, y2]
        ])
          expect(Math.abs((got ?? 0) - (want ?? 0)), `${label.name} edge`).toBeLessThanOrEqual(2)
        boxes++
      }
    }
    expect(boxes).toBeGreaterThan(5)
  })
})
