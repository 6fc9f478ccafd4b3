import { readdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SampleList, startWorld, type World } from '../../testing/service-world'

// Thumbnails go with their sample, whichever route deletes it; originals stay unless
// `delete_source` asks. Each case makes the files first by asking for them, as a client does.
let world: World
let dataset: string

beforeAll(async () => {
  world = await startWorld({ demoSize: 40 })
  dataset = world.demo.datasets[0]?.id ?? ''
})
afterAll(async () => {
  await world?.close()
})

const VARIANTS = ['image/resize,m_lfit,h_200', 'image/resize,m_lfit,w_64']
/** Samples a test has taken: each test works on samples nothing has asked for yet. */
const taken = new Set<string>()

/** `n` samples not taken before, with source URLs of `variant` (null = the original). */
async function freshSamples(n: number, variant: string | null, among?: string[]) {
  const query: Record<string, string> = { limit: '100' }
  if (variant) query.process_parameter = variant
  const page = SampleList.parse(
    (await world.call('GET', world.v2(`/datasets/${dataset}/data-annotations/samples`), { query }))
      .json
  )
  const samples = among
    ? page.samples.filter((s) => among.includes(s.sample_id))
    : page.samples.filter((s) => !taken.has(s.sample_id)).slice(0, n)
  for (const s of samples) taken.add(s.sample_id)
  return samples
}

/** `n` fresh samples, each with its original and two thumbnails made on disk. */
async function samplesWithThumbnails(n: number): Promise<string[]> {
  const ids = (await freshSamples(n, null)).map((s) => s.sample_id)
  for (const variant of [null, ...VARIANTS])
    for (const sample of await freshSamples(n, variant, ids))
      expect((await fetch(sample.source)).status).toBe(200)
  return ids
}

/** The files under `images/` or `thumbs/` that belong to one of `ids`. */
async function filesOf(kind: 'images' | 'thumbs', ids: string[]): Promise<string[]> {
  const all = await readdir(path.join(world.dir, kind), { recursive: true })
  return all.filter((f) => ids.some((id) => path.basename(f).startsWith(`${id}.`)))
}

const v1 = (rest: string) => `/v1/${world.demo.projectId}/data-annotations/${dataset}${rest}`

describe('deleting samples removes their thumbnails', () => {
  const routes: [string, (ids: string[]) => Promise<{ status: number }>][] = [
    [
      'v2 DeleteSamples',
      (ids) =>
        world.call('POST', world.v2(`/datasets/${dataset}/data-annotations/samples/delete`), {
          body: { samples: ids }
        })
    ],
    ['v1 delete_selected_image', (ids) => world.call('DELETE', v1(`/images/${ids[0]}`))],
    [
      'v1 batch delete',
      (ids) => world.call('POST', v1('/images/delete'), { body: { image_id: ids } })
    ]
  ]

  it.each(routes)('%s', async (_name, remove) => {
    const ids = await samplesWithThumbnails(_name.includes('selected') ? 1 : 3)
    expect(await filesOf('thumbs', ids)).toHaveLength(ids.length * VARIANTS.length)
    expect((await remove(ids)).status).toBe(200)
    expect(await filesOf('thumbs', ids)).toEqual([])
    // Without delete_source the originals stay.
    expect(await filesOf('images', ids)).toHaveLength(ids.length)
  })

  it('also a thumbnail still being made when its sample is deleted', async () => {
    // Samples never asked for: their originals must be drawn first, which takes a while.
    const samples = await freshSamples(8, VARIANTS[0] ?? null)
    const ids = samples.map((s) => s.sample_id)
    expect(await filesOf('images', ids)).toEqual([])
    const drawing = samples.map((s) => fetch(s.source).then((r) => r.status))
    const deleted = await world.call(
      'POST',
      world.v2(`/datasets/${dataset}/data-annotations/samples/delete`),
      { body: { samples: ids } }
    )
    expect(deleted.status).toBe(200)
    // Each answer is the image (made before the delete) or NoSuchKey (after): never an error.
    for (const status of await Promise.all(drawing)) expect([200, 404]).toContain(status)
    expect(await filesOf('thumbs', ids)).toEqual([])
  })
})
