import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { signatureOf } from '../../shared/thumb-signature'
import { useLogger, type Logger } from '../log'
import { jpegCellMeans } from './jpeg-cells'
import { BATCH, SignatureThread, workerEntry, type CellsSignature } from './signature-thread'

/** A real baseline JPEG and a real PNG of a gradient with a box, as sharp writes them. */
async function images(seed: number) {
  // Big enough to be read from its DC coefficients (jpeg-cells.ts reads 128 px and up).
  const width = 200
  const height = 150
  const data = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3
      const box = x > 30 + seed && x < 90 && y > 20 && y < 80
      data[at] = box ? 40 : 120 + ((x * seed) % 100)
      data[at + 1] = box ? 200 : 80 + y
      data[at + 2] = (x + y + seed * 7) % 256
    }
  const picture = () => sharp(data, { raw: { width, height, channels: 3 } })
  return { jpeg: await picture().jpeg().toBuffer(), png: await picture().png().toBuffer() }
}

const inMain = (bytes: Uint8Array) => {
  const cells = jpegCellMeans(bytes)
  return cells ? signatureOf(cells) : null
}

const threads: SignatureThread[] = []
const thread = (...options: ConstructorParameters<typeof SignatureThread>) => {
  const t = new SignatureThread(...options)
  threads.push(t)
  return t
}
afterEach(async () => {
  await Promise.all(threads.splice(0).map((t) => t.close()))
})

/** Linux's scheduling policies, as `/proc` numbers them. */
const SCHED_OTHER = 0
const SCHED_IDLE = 5

/** Each OS thread of this process: its niceness and scheduling policy, by thread id. */
function priorityByThread(): Map<string, { nice: number; policy: number }> {
  return new Map(
    readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
      // Fields after the command's closing parenthesis: the niceness is the 19th of the line,
      // the policy the 41st.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return [tid, { nice: Number(fields[16]), policy: Number(fields[38]) }]
    })
  )
}

/** The threads a thread's first answer added to this process, and that main's kept theirs. */
async function threadStarted(t: SignatureThread) {
  const before = priorityByThread()
  const { jpeg } = await images(3)
  expect(await t.read(jpeg)).toBeInstanceOf(Float32Array)
  const after = priorityByThread()
  for (const [tid, was] of before) if (after.has(tid)) expect(after.get(tid)).toEqual(was)
  return [...after].filter(([tid]) => !before.has(tid)).map(([, priority]) => priority)
}

/** Main's warnings while `work` runs. */
async function warnings(work: () => Promise<void>): Promise<string[]> {
  const said: string[] = []
  const quiet = () => {}
  const logger: Logger = {
    debug: quiet,
    info: quiet,
    warn: (message) => void said.push(message),
    error: (message) => void said.push(message),
    child: () => logger
  }
  const restore = useLogger(logger)
  try {
    await work()
  } finally {
    restore()
  }
  return said
}

/** A thread that takes every batch and answers none: one that gets no CPU. */
const stalled = () => ({
  ...workerEntry(),
  file: path.join(__dirname, 'stalled-worker.fixture.ts')
})

const isSignature = (s: CellsSignature) => s instanceof Float32Array

describe('the signature thread', () => {
  it.runIf(process.platform === 'linux')(
    'runs at idle priority on Linux (SCHED_IDLE), its own thread alone: no chunk waits for it',
    async () => {
      const said = await warnings(async () => {
        const added = await threadStarted(thread())
        expect(added.filter((p) => p.policy === SCHED_IDLE)).toHaveLength(1)
      })
      expect(said).toEqual([])
    }
  )

  it.runIf(process.platform === 'linux')(
    'without chrt it runs at nice 10 instead, and main logs why',
    async () => {
      const said = await warnings(async () => {
        const noChrt = () => ({ ...workerEntry(), env: { ...process.env, PATH: '/nonexistent' } })
        const added = await threadStarted(thread(noChrt))
        expect(added.filter((p) => p.nice === 10 && p.policy === SCHED_OTHER)).toHaveLength(1)
        expect(added.some((p) => p.policy === SCHED_IDLE)).toBe(false)
      })
      expect(said).toHaveLength(1)
      expect(said[0]).toMatch(/runs at nice 10: idle priority could not be set .*ENOENT/)
    }
  )

  it('a thread that gets no CPU: a caller who waits for them all has main read what the thread has not taken', async () => {
    const t = thread(stalled)
    const { jpeg } = await images(7)
    const expected = Array.from(inMain(jpeg) ?? [])
    const settled: CellsSignature[] = []
    const asked = Array.from({ length: 5 * BATCH }, () =>
      t.read(jpeg).then((s) => void settled.push(s))
    )
    t.flush()
    // Five batches made, two with the thread: without a caller waiting, main leaves the rest.
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(t.batches).toBe(2)
    expect(settled).toHaveLength(0)
    t.hurry()
    await Promise.all(asked.slice(2 * BATCH))
    expect(t.batchesReadOnMain).toBe(3)
    expect(settled).toHaveLength(3 * BATCH)
    for (const s of settled) expect(Array.from(s as Float32Array)).toEqual(expected)
    // The thread's two batches wait for it; when it stops they are read on main too.
    await t.close()
    await Promise.all(asked)
    expect(settled.filter(isSignature)).toHaveLength(5 * BATCH)
  })

  it('a thread that gets no CPU: past the bound of bytes waiting for it, main reads the oldest', async () => {
    const { jpeg } = await images(8)
    // Room for about three batches waiting.
    const t = thread(stalled, 3 * BATCH * jpeg.length + 1)
    const asked = Array.from({ length: 10 * BATCH }, () => t.read(jpeg))
    t.flush()
    // Two with the thread, at most three waiting: the other five read on main, with no caller waiting.
    await Promise.all(asked.slice(2 * BATCH, 7 * BATCH))
    expect(t.batches).toBe(2)
    expect(t.batchesReadOnMain).toBe(5)
    await new Promise((resolve) => setTimeout(resolve, 100))
    expect(t.batchesReadOnMain).toBe(5)
  })

  it('answers what main would read, image by image, many at once', async () => {
    const t = thread()
    const all = await Promise.all([1, 2, 3, 4, 5, 6, 7, 8].map(images))
    const read = await Promise.all(all.map(({ jpeg }) => t.read(jpeg)))
    read.forEach((signature, i) => {
      expect(signature).toBeInstanceOf(Float32Array)
      expect(Array.from(signature as Float32Array)).toEqual(Array.from(inMain(all[i].jpeg) ?? []))
    })
    // Not a baseline JPEG: left for a full decode.
    expect(await t.read(all[0].png)).toBe('unread')
    // The caller's bytes are its own still (the cache holds them).
    expect(all[0].jpeg.length).toBeGreaterThan(0)
  })

  it('takes thumbnails in batches: 200 asked for at once cross in a few messages', async () => {
    const t = thread()
    const { jpeg, png } = await images(5)
    const expected = Array.from(inMain(jpeg) ?? [])
    const asked = Array.from({ length: 200 }, (_, i) => t.read(i % 50 === 49 ? png : jpeg))
    t.flush()
    const read = await Promise.all(asked)
    read.forEach((s, i) => {
      if (i % 50 === 49) expect(s).toBe('unread')
      else expect(Array.from(s as Float32Array)).toEqual(expected)
    })
    // 200 / BATCH full batches, then the rest at the flush (one message each way per thumbnail
    // cost 50 µs of CPU a round trip).
    expect(t.batches).toBe(Math.ceil(200 / BATCH))
    // One alone goes within a few milliseconds, with no flush; a thumbnail that is a view of a
    // bigger buffer (a socket's, as a download's often is) is read from its own bytes alone.
    const before = t.batches
    const socket = new Uint8Array(65536).fill(0xff)
    socket.set(jpeg, 1000)
    const view = socket.subarray(1000, 1000 + jpeg.length)
    expect(Array.from((await t.read(view)) as Float32Array)).toEqual(expected)
    expect(t.batches).toBe(before + 1)
    expect(view[0]).toBe(0xff)
    expect(socket.byteLength).toBe(65536)
  })

  it('a flat image has no signature; a failed read rejects that one alone', async () => {
    const t = thread()
    const flat = await sharp({
      create: { width: 200, height: 150, channels: 3, background: { r: 90, g: 90, b: 90 } }
    })
      .jpeg()
      .toBuffer()
    const { jpeg } = await images(6)
    const [a, b] = await Promise.all([t.read(flat), t.read(jpeg)])
    expect(a).toBeNull()
    expect(Array.from(b as Float32Array)).toEqual(Array.from(inMain(jpeg) ?? []))
  })

  it('reads on main when the thread cannot start, and says so', async () => {
    const t = thread(() => ({ file: '/nonexistent/signature-worker.js' }))
    const { jpeg, png } = await images(3)
    const [a, b] = await Promise.all([t.read(jpeg), t.read(png)])
    expect(Array.from(a as Float32Array)).toEqual(Array.from(inMain(jpeg) ?? []))
    expect(b).toBe('unread')
    // Every later one too, without trying again.
    expect(Array.from((await t.read(jpeg)) as Float32Array)).toEqual(Array.from(inMain(jpeg) ?? []))
  })

  it('a thread that dies with images waiting: main reads them, and every later one', async () => {
    const t = thread()
    const { jpeg } = await images(4)
    await t.read(jpeg)
    const waiting = Array.from({ length: 50 }, () => t.read(jpeg))
    // The thread killed under them (as a crash would end it).
    await (t as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate()
    const expected = Array.from(inMain(jpeg) ?? [])
    for (const s of await Promise.all(waiting))
      expect(Array.from(s as Float32Array)).toEqual(expected)
    expect(Array.from((await t.read(jpeg)) as Float32Array)).toEqual(expected)
  })
})
