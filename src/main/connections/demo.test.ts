import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { UnavailableCipher } from './cipher'
import { DEMO_CONNECTION_ID, demoInput, readDemo, syncDemoProfile } from './demo'
import { ConnectionStore } from './store'

let dir: string
const demo = (port: number) => ({
  endpoint: `http://127.0.0.1:${port}`,
  projectId: 'c'.repeat(32),
  ak: 'DEMOAK',
  sk: 'demo-sk',
  user: 'demo',
  password: 'pw',
  domain: 'demo',
  datasets: []
})

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-demo-'))
})
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('demo connection', () => {
  it('reads demo.json, and nothing when it is missing or malformed', async () => {
    const file = path.join(dir, 'demo.json')
    expect(await readDemo(file)).toBeNull()
    expect(await readDemo(null)).toBeNull()
    await writeFile(file, '{"endpoint":"nope"}')
    expect(await readDemo(file)).toBeNull()
    await writeFile(file, JSON.stringify(demo(1234)))
    expect(await readDemo(file)).toMatchObject({ endpoint: 'http://127.0.0.1:1234', sk: 'demo-sk' })
  })

  it('follows the demo service to its new port and restores a session-only secret', async () => {
    const file = path.join(dir, 'demo.json')
    await writeFile(file, JSON.stringify(demo(1111)))
    const first = await ConnectionStore.open(dir, new UnavailableCipher('basic_text'))
    await first.save({ ...demoInput(demo(1111)), name: 'My demo' })
    await writeFile(file, JSON.stringify(demo(2222)))

    const restarted = await ConnectionStore.open(dir, new UnavailableCipher('basic_text'))
    expect(restarted.get(DEMO_CONNECTION_ID)?.hasSecret).toBe(false)
    await syncDemoProfile(restarted, file)
    expect(restarted.get(DEMO_CONNECTION_ID)).toMatchObject({
      name: 'My demo',
      target: { url: 'http://127.0.0.1:2222' },
      hasSecret: true,
      secretKeeping: 'session'
    })
    expect(await restarted.secret(DEMO_CONNECTION_ID)).toBe('demo-sk')
  })

  it('leaves stores without a demo profile alone', async () => {
    const file = path.join(dir, 'demo.json')
    await writeFile(file, JSON.stringify(demo(1111)))
    const store = await ConnectionStore.open(dir, new UnavailableCipher())
    await syncDemoProfile(store, file)
    expect(store.list()).toEqual([])
  })
})
