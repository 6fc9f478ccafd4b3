import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { SampleList, startWorld, Stats, type World } from '../../testing/service-world'

// The legacy SDK routes (api.md, "v1 routes") and their `is_success` result shapes.
let world: World
let classification: string
let detection: string

beforeAll(async () => {
  world = await startWorld({ demoSize: 60 })
  classification = world.demo.datasets.find((d) => d.type === 0)?.id ?? ''
  detection = world.demo.datasets.find((d) => d.type === 1)?.id ?? ''
})
afterAll(async () => {
  await world?.close()
})

const job = (id: string, rest: string) =>
  `/v1/${world.demo.projectId}/data-annotations/${id}${rest}`
const ClassImage = z.object({ image_id: z.string(), tags: z.array(z.string()) }).strict()
const BoxImage = z
  .object({
    image_id: z.string(),
    tags: z.array(
      z.object({ tag: z.string(), pos: z.tuple([z.number(), z.number(), z.number(), z.number()]) })
    ),
    size: z.tuple([z.number(), z.number(), z.literal(3)])
  })
  .strict()
const ImagePage = <T extends z.ZodType>(image: T) =>
  z.object({ is_success: z.literal(true), total: z.number(), images: z.array(image) })

async function stats(id: string) {
  return Stats.parse(
    (await world.call('GET', world.v2(`/datasets/${id}/data-annotations/stats`))).json
  )
}

describe('show_images_by_tag', () => {
  it('no tag = every tagged image, page from 1, per_page up to 100', async () => {
    const s = await stats(classification)
    const first = ImagePage(ClassImage).parse(
      (await world.call('GET', job(classification, '/images'), { query: { per_page: '100' } })).json
    )
    expect(first.total).toBe(s.sample_stats.manual_annotation)
    expect(first.images).toHaveLength(first.total)
    expect(first.images.every((i) => i.tags.length > 0)).toBe(true)
    const v2 = SampleList.parse(
      (
        await world.call('GET', world.v2(`/datasets/${classification}/data-annotations/samples`), {
          query: { sample_state: '__ALL__', limit: '7', offset: '1', order: 'asc' }
        })
      ).json
    )
    const second = ImagePage(ClassImage).parse(
      (
        await world.call('GET', job(classification, '/images'), {
          query: { per_page: '7', page: '2' }
        })
      ).json
    )
    expect(second.images.map((i) => i.image_id)).toEqual(v2.samples.map((s) => s.sample_id))
  })

  it('__none__ = untagged; a tag = images with it; past the end = empty', async () => {
    const s = await stats(detection)
    const none = ImagePage(BoxImage).parse(
      (
        await world.call('GET', job(detection, '/images'), {
          query: { tag_name: '__none__', per_page: '100' }
        })
      ).json
    )
    expect(none.total).toBe(s.sample_stats.un_annotation)
    expect(none.images.every((i) => i.tags.length === 0)).toBe(true)
    const circle = s.label_stats.find((l) => l.name === 'circle')
    const circles = ImagePage(BoxImage).parse(
      (
        await world.call('GET', job(detection, '/images'), {
          query: { tag_name: 'circle', per_page: '100' }
        })
      ).json
    )
    expect(circles.total).toBe(circle?.sample_count)
    expect(circles.images.every((i) => i.tags.some((t) => t.tag === 'circle'))).toBe(true)
    const past = await world.call('GET', job(detection, '/images'), { query: { page: '99' } })
    expect(past.json).toMatchObject({ is_success: true, images: [] })
  })
})

describe('get_image_info_by_id(s)', () => {
  it('answers one image: tags for classification, boxes and size for detection', async () => {
    const [image] = ImagePage(BoxImage).parse(
      (await world.call('GET', job(detection, '/images'))).json
    ).images
    const one = await world.call('GET', job(detection, `/images/${image?.image_id}/tags`))
    expect(one.json).toEqual({ is_success: true, ...image })
    const missing = await world.call('GET', job(detection, '/images/nope/tags'))
    expect(missing.status).toBe(400)
    expect(missing.json).toMatchObject({ is_success: false, error_code: 'ModelArts.4420' })
  })

  it('answers many in request order, leaving out ids that do not exist', async () => {
    const page = ImagePage(ClassImage).parse(
      (await world.call('GET', job(classification, '/images'))).json
    )
    const ids = page.images.map((i) => i.image_id).slice(0, 4)
    const asked = [ids[2], 'nope', ids[0], ids[3]]
    const answer = await world.call('POST', job(classification, '/tags/show'), {
      body: { image_id: asked }
    })
    const body = z
      .object({ is_success: z.literal(true), images_tags: z.array(ClassImage) })
      .parse(answer.json)
    expect(body.images_tags.map((i) => i.image_id)).toEqual([ids[2], ids[0], ids[3]])
  })
})

describe('deletes', () => {
  it('delete_selected_image answers {} and then the 4420 error', async () => {
    const [image] = ImagePage(ClassImage).parse(
      (await world.call('GET', job(classification, '/images'))).json
    ).images
    const first = await world.call('DELETE', job(classification, `/images/${image?.image_id}`))
    expect([first.status, first.json]).toEqual([200, {}])
    const again = await world.call('DELETE', job(classification, `/images/${image?.image_id}`))
    expect(again.status).toBe(400)
    expect(again.json).toMatchObject({
      error_code: 'ModelArts.4420',
      error_msg: expect.any(String)
    })
  })

  it('batch delete: is_success when all existed; otherwise the rest are still deleted', async () => {
    const before = await stats(classification)
    const ids = ImagePage(ClassImage)
      .parse((await world.call('GET', job(classification, '/images'))).json)
      .images.map((i) => i.image_id)
    const ok = await world.call('POST', job(classification, '/images/delete'), {
      body: { image_id: ids.slice(0, 2) }
    })
    expect(ok.json).toEqual({ is_success: true })
    const partly = await world.call('POST', job(classification, '/images/delete'), {
      body: { image_id: [ids[2], 'ghost'] }
    })
    expect(partly.json).toMatchObject({ is_success: false, error_code: 'ModelArts.4420' })
    const after = await stats(classification)
    expect(after.sample_stats.all).toBe(before.sample_stats.all - 3)
    expect(after.sample_stats.deleted).toBe(before.sample_stats.deleted + 3)
  })
})
