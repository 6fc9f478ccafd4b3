import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SampleList, startWorld, type World } from '../../testing/service-world'

// Two services sharing a render cache (as the e2e run's do): what one drew, the other copies.
let cache: string
const worlds: World[] = []

beforeAll(async () => {
  cache = await mkdtemp(path.join(tmpdir(), 'tagdeck-render-cache-'))
  for (let i = 0; i < 2; i++) worlds.push(await startWorld({ demoSize: 5, renderCache: cache }))
})
afterAll(async () => {
  for (const world of worlds) await world.close()
  await rm(cache, { recursive: true, force: true })
})

async function firstSource(world: World, query: Record<string, string> = {}): Promise<string> {
  const detection = world.demo.datasets.find((d) => d.type === 1)?.id ?? ''
  const answer = await world.call(
    'GET',
    world.v2(`/datasets/${detection}/data-annotations/samples`),
    { query: { order: 'asc', limit: '1', ...query } }
  )
  return SampleList.parse(answer.json).samples[0]?.source ?? ''
}

const cached = async () =>
  (await readdir(cache, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))

describe('a render cache shared by services', () => {
  it('keeps what one service drew, and the other serves it without drawing it again', async () => {
    const [one, two] = worlds as [World, World]
    const drawn = Buffer.from(await (await fetch(await firstSource(one))).arrayBuffer())
    expect((await sharp(drawn).metadata()).format).toBe('jpeg')
    const files = await cached()
    expect(files).toHaveLength(1)
    // Planted bytes in its place: the other service serves those, so it did not draw.
    const planted = await sharp({
      create: { width: 8, height: 6, channels: 3, background: '#123456' }
    })
      .jpeg()
      .toBuffer()
    await writeFile(files[0] as string, planted)
    const served = Buffer.from(await (await fetch(await firstSource(two))).arrayBuffer())
    expect(served.equals(planted)).toBe(true)
    // A thumbnail is kept apart from its original.
    const thumb = await fetch(
      await firstSource(one, { process_parameter: 'image/resize,m_lfit,h_200' })
    )
    expect(thumb.status).toBe(200)
    expect(await cached()).toHaveLength(2)
  })
})
