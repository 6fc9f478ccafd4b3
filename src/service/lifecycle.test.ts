import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises'
import { Agent, request, type IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { startService } from './server'
import { SampleList, startWorld, Stats, type World } from '../../testing/service-world'

// Restarts on the same data folder, graceful close, /health and the test-only fault switch.
let world: World
let dataset: string

beforeAll(async () => {
  world = await startWorld({ demoSize: 25 })
  dataset = world.demo.datasets[0]?.id ?? ''
})
afterAll(async () => {
  await world?.close()
})

const samples = () => world.v2(`/datasets/${dataset}/data-annotations/samples`)
const faults = (body: unknown) =>
  fetch(new URL('/__test__/faults', world.service.url), {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body)
  })

/**
 * A DeleteSamples call whose head and first bytes are sent now, the rest by `finish()`: a request
 * in flight for as long as the test wants.
 */
async function halfSentDelete(body: string, agent?: Agent) {
  const url = new URL(world.service.url)
  const token = await world.token()
  let finish = () => {}
  const answer = new Promise<{ status: number; text: string; headers: IncomingHttpHeaders }>(
    (resolve, reject) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          agent,
          method: 'POST',
          path: `${samples()}/delete`,
          headers: {
            'Content-Type': 'application/json',
            'Content-Length': Buffer.byteLength(body),
            'X-Auth-Token': token
          }
        },
        (res) => {
          let text = ''
          res.on('data', (c: Buffer) => (text += c.toString()))
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text, headers: res.headers }))
        }
      )
      req.on('error', reject)
      // Only part of the body now: the rest follows once close() has begun.
      req.write(body.slice(0, 3))
      finish = () => req.end(body.slice(3))
    }
  )
  return { answer, finish: () => finish() }
}

describe('restart', () => {
  it('finds the same workspace, deletions, tokens and image URLs on the same data folder', async () => {
    const demo = world.demo
    const token = await world.token()
    const listed = SampleList.parse(
      (await world.call('GET', samples(), { query: { limit: '3' } })).json
    )
    const [gone, kept] = listed.samples
    await world.call('POST', `${samples()}/delete`, { body: { samples: [gone?.sample_id] } })
    const before = (
      await world.call('GET', world.v2(`/datasets/${dataset}/data-annotations/stats`))
    ).json
    const port = world.service.port

    await world.restart()

    expect(world.service.port).not.toBe(port)
    expect({ ...world.demo, endpoint: '' }).toEqual({ ...demo, endpoint: '' })
    const file = path.join(world.dir, 'demo.json')
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(world.demo)
    expect((await stat(file)).mode & 0o077).toBe(0)
    const after = await world.call('GET', world.v2(`/datasets/${dataset}/data-annotations/stats`))
    expect(Stats.parse(after.json)).toEqual(Stats.parse(before))
    expect(Stats.parse(after.json).sample_stats.deleted).toBe(1)
    const describe = await world.call('GET', `${samples()}/${gone?.sample_id}`)
    expect(describe.json).toMatchObject({ error_code: 'ModelArts.4420' })
    expect(await world.token()).toBe(token)
    expect((await world.call('GET', world.v2('/datasets'))).status).toBe(200)
    const datasets = z
      .object({ total_number: z.number() })
      .parse((await world.call('GET', world.v2('/datasets'))).json)
    expect(datasets.total_number).toBe(2)
    // The URL key survived too: a URL handed out before the restart still works (new port).
    const old = new URL(kept?.source ?? '')
    old.port = String(world.service.port)
    expect((await fetch(old)).status).toBe(200)
  })

  it('finishes a request in flight when closed, and the write is kept', async () => {
    const listed = SampleList.parse(
      (await world.call('GET', samples(), { query: { limit: '1' } })).json
    )
    const id = listed.samples[0]?.sample_id ?? ''
    const body = JSON.stringify({ samples: [id] })
    const { answer, finish } = await halfSentDelete(body)
    // A full round trip on another connection: the first request's head has been read by now.
    expect((await fetch(new URL('/health', world.service.url))).status).toBe(200)
    const closing = world.service.close()
    finish()
    const { status, text } = await answer
    expect({ status, text }).toEqual({ status: 200, text: '{"success":true}' })
    await closing
    await world.restart()
    const after = await world.call('GET', `${samples()}/${id}`)
    expect(after.json).toMatchObject({ error_code: 'ModelArts.4420' })
  })

  it('closes as soon as the answers are out: no wait for keep-alive or never-used connections', async () => {
    const url = new URL(world.service.url)
    const agent = new Agent({ keepAlive: true })
    const { answer, finish } = await halfSentDelete(JSON.stringify({ samples: [] }), agent)
    // A connection opened ahead, as browsers do, that never sends a request.
    const idle = connect(Number(url.port), url.hostname)
    idle.on('error', () => undefined)
    const idleClosed = new Promise((resolve) => idle.once('close', resolve))
    await new Promise((resolve) => idle.once('connect', resolve))
    expect((await fetch(new URL('/health', world.service.url))).status).toBe(200)
    const started = Date.now()
    const closing = world.service.close()
    finish()
    expect((await answer).headers.connection).toBe('keep-alive')
    await closing
    // Fastify keeps an answered connection 72 s, Node waits 60 s for a request's head.
    expect(Date.now() - started).toBeLessThan(3_000)
    await idleClosed
    agent.destroy()
    await world.restart()
  })

  it('waits for an image still being drawn for a client that went away before it closes', async () => {
    const listed = SampleList.parse(
      (await world.call('GET', samples(), { query: { limit: '1', offset: '3' } })).json
    )
    const source = new URL(listed.samples[0]?.source ?? '')
    const images = path.join(world.dir, 'images')
    const jpegs = async () =>
      (await readdir(images, { recursive: true })).filter((f) => f.endsWith('.jpg'))
    const before = await jpegs()
    // Sent in full, then the connection is dropped: the drawing goes on with no one waiting.
    await new Promise<void>((resolve) => {
      const req = request(source)
      req.on('error', () => undefined)
      req.on('finish', () => setTimeout(() => (req.destroy(), resolve()), 5))
      req.end()
    })
    await world.service.close()
    try {
      const files = await readdir(images, { recursive: true })
      expect(await jpegs()).toHaveLength(before.length + 1)
      expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([])
      // Nothing more lands on the disk after close: the data folder can go at once.
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(await readdir(images, { recursive: true })).toEqual(files)
    } finally {
      await world.restart()
    }
  })
})

describe('health and test hooks', () => {
  it('answers /health without credentials', async () => {
    const response = await fetch(new URL('/health', world.service.url))
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ ok: true })
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f]{32}$/)
  })

  it('makes the next N API requests fail with that status, 429 with Retry-After', async () => {
    expect((await faults({ status: 503, count: 2 })).status).toBe(200)
    const health = await fetch(new URL('/health', world.service.url))
    expect(health.status).toBe(200)
    const first = await world.call('GET', world.v2('/datasets'))
    expect([first.status, first.json]).toEqual([
      503,
      expect.objectContaining({ error_code: 'APIG.0201' })
    ])
    expect((await world.call('GET', world.v2('/datasets'))).status).toBe(503)
    expect((await world.call('GET', world.v2('/datasets'))).status).toBe(200)

    await faults({ status: 429, count: 1 })
    const throttled = await world.call('GET', world.v2('/datasets'))
    expect(throttled.status).toBe(429)
    expect(throttled.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(throttled.json).toMatchObject({ error_code: 'APIG.0308' })

    await faults({ status: 500, count: 5 })
    await faults({ clear: true })
    expect((await world.call('GET', world.v2('/datasets'))).status).toBe(200)
    expect((await faults({ status: 200, count: 1 })).status).toBe(400)
  })

  it('holds every API request for delayMs until cleared, and not /health', async () => {
    await faults({ delayMs: 300 })
    try {
      const slow = Date.now()
      expect((await world.call('GET', world.v2('/datasets'))).status).toBe(200)
      expect(Date.now() - slow).toBeGreaterThanOrEqual(290)
      const health = Date.now()
      expect((await fetch(new URL('/health', world.service.url))).status).toBe(200)
      expect(Date.now() - health).toBeLessThan(250)
    } finally {
      await faults({ clear: true })
    }
    const fast = Date.now()
    expect((await world.call('GET', world.v2('/datasets'))).status).toBe(200)
    expect(Date.now() - fast).toBeLessThan(250)
    // Only the paths asked for.
    await faults({ delayMs: 300, pathIncludes: '/labels' })
    try {
      const other = Date.now()
      expect((await world.call('GET', world.v2('/datasets'))).status).toBe(200)
      expect(Date.now() - other).toBeLessThan(250)
    } finally {
      await faults({ clear: true })
    }
    expect((await faults({ delayMs: -1 })).status).toBe(400)
  })

  it("holds one image's URL when the delay names it, and no other image", async () => {
    const listed = await world.call('GET', samples(), { query: { limit: '2' } })
    const [held, other] = (listed.json as { samples: { sample_id: string; source: string }[] })
      .samples
    if (!held || !other) throw new Error('the demo dataset has fewer than two images')
    // Drawn once first, so the times below are the delay's alone.
    for (const s of [held, other]) expect((await fetch(s.source)).status).toBe(200)
    await faults({ delayMs: 400, pathIncludes: `/samples/${held.sample_id}/image` })
    try {
      const free = Date.now()
      expect((await fetch(other.source)).status).toBe(200)
      expect(Date.now() - free).toBeLessThan(350)
      const slow = Date.now()
      expect((await fetch(held.source)).status).toBe(200)
      expect(Date.now() - slow).toBeGreaterThanOrEqual(390)
    } finally {
      await faults({ clear: true })
    }
  })

  it('are off unless asked for', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-nofaults-'))
    const plain = await startService({ dataDir: dir, port: 0 })
    try {
      expect(plain.demo).toBeNull()
      const response = await fetch(new URL('/__test__/faults', plain.url), {
        method: 'POST',
        body: '{}'
      })
      expect(response.status).toBe(404)
    } finally {
      await plain.close()
      await plain.close()
      await rm(dir, { recursive: true, force: true })
    }
  })
})
