import { chmod, mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SampleList, startWorld, type World } from '../../testing/service-world'

// The data folder holds SKs, the demo password and the URL signing key: only its owner may read
// it, whatever the umask. POSIX modes only (Windows has ACLs instead).
let root: string
let previousUmask: number

beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'tagdeck-modes-'))
  // The loosest umask there is: every mode below must come from the service, not from it.
  previousUmask = process.umask(0o000)
})
afterAll(async () => {
  process.umask(previousUmask)
  await rm(root, { recursive: true, force: true })
})

const mode = async (file: string) => ((await stat(file)).mode & 0o777).toString(8)

/** Every folder and file under `dir` with its mode, folders marked with a trailing `/`. */
async function modes(dir: string): Promise<Record<string, string>> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true })
  const out: Record<string, string> = {}
  for (const e of entries) {
    const full = path.join(e.parentPath, e.name)
    out[`${path.relative(dir, full)}${e.isDirectory() ? '/' : ''}`] = await mode(full)
  }
  return out
}

/** Makes an original and a thumbnail on disk by asking for them. */
async function drawImages(world: World): Promise<void> {
  const dataset = world.demo.datasets[0]?.id ?? ''
  const page = SampleList.parse(
    (
      await world.call('GET', world.v2(`/datasets/${dataset}/data-annotations/samples`), {
        query: { limit: '2', process_parameter: 'image/resize,m_lfit,h_200' }
      })
    ).json
  )
  for (const sample of page.samples) expect((await fetch(sample.source)).status).toBe(200)
}

describe.skipIf(process.platform === 'win32')('data folder modes', () => {
  it('a new data folder is 0700, its folders 0700 and its files 0600', async () => {
    const dir = path.join(root, 'new', 'data')
    const world = await startWorld({ demoSize: 3, dir })
    try {
      await drawImages(world)
      expect(await mode(dir)).toBe('700')
      const all = await modes(dir)
      for (const name of ['tagdeck.db', 'tagdeck.db-wal', 'tagdeck.db-shm', 'demo.json'])
        expect(all[name]).toBe('600')
      expect(Object.keys(all).filter((n) => n.startsWith('thumbs/')).length).toBeGreaterThan(3)
      const loose = Object.entries(all).filter(
        ([name, m]) => m !== (name.endsWith('/') ? '700' : '600')
      )
      expect(loose).toEqual([])
    } finally {
      await world.close()
    }
  })

  it('tightens what an older version left readable, but not a folder the user made', async () => {
    const dir = path.join(root, 'old')
    const first = await startWorld({ demoSize: 3, dir })
    await drawImages(first)
    await first.close()
    // As an older service (or a copy) left it: readable by everyone.
    await chmod(dir, 0o755)
    for (const name of ['tagdeck.db', 'demo.json']) await chmod(path.join(dir, name), 0o644)
    for (const name of ['images', 'thumbs']) await chmod(path.join(dir, name), 0o755)
    await writeFile(path.join(dir, 'tagdeck.db-wal'), '', { mode: 0o644 })
    const world = await startWorld({ demoSize: 3, dir })
    try {
      await drawImages(world)
      const all = await modes(dir)
      expect([all['tagdeck.db'], all['tagdeck.db-wal'], all['demo.json']]).toEqual([
        '600',
        '600',
        '600'
      ])
      expect([all['images/'], all['thumbs/']]).toEqual(['700', '700'])
      // The folder itself was there before: the user's choice.
      expect(await mode(dir)).toBe('755')
    } finally {
      await world.close()
    }
  })

  it('an existing empty folder chosen as the data folder keeps its mode too', async () => {
    const dir = path.join(root, 'chosen')
    await mkdir(dir, { mode: 0o750 })
    const world = await startWorld({ demoSize: 3, dir })
    try {
      expect(await mode(dir)).toBe('750')
      expect(await mode(path.join(dir, 'tagdeck.db'))).toBe('600')
    } finally {
      await world.close()
    }
  })
})
