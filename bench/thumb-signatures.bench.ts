import sharp from 'sharp'
import { jpegCellMeans } from '../src/main/images/jpeg-cells'
import { SignatureThread } from '../src/main/images/signature-thread'
import { decodedSignature } from '../src/main/images/thumb-signatures'
import { demoSamples } from '../src/service/demo-recipes'
import { renderRecipe, type Recipe } from '../src/service/render'
import { median } from './stats'
import { envCount } from './env'

/**
 * What a near-duplicate signature costs main per thumbnail (`docs/offline.md`, "signatures"):
 * the demo detection job's thumbnails, made as the local service makes them (the image from its
 * recipe, then 200 pixels high, JPEG quality 80), read from their DC coefficients
 * (`jpeg-cells.ts`) against a full decode through sharp to 32x32 (the fallback for anything
 * else); then through the signature thread as a download hands them over (chunks of 200, a few
 * at a time, the chunk's batch flushed as it waits), in CPU of main and the thread together,
 * against the same reading in a loop. `THUMB_SIG_BENCH_SIZE` thumbnails (default 500) are made
 * once and read over and over.
 */

const SIZE = envCount('THUMB_SIG_BENCH_SIZE', 500)
const ROUNDS = 5
const THREAD_READS = 10_000

const micro = (ms: number, n: number) => (ms * 1000) / n

async function thumbnails(): Promise<Buffer[]> {
  const samples = demoSamples(1, SIZE, 7, Date.UTC(2026, 0, 1))
  return Promise.all(
    samples.map(async (s) =>
      sharp(await renderRecipe(JSON.parse(s.recipe as string) as Recipe, 'jpg'))
        .resize({ height: 200, fit: 'inside', withoutEnlargement: true })
        .jpeg({ quality: 80 })
        .toBuffer()
    )
  )
}

/** Microseconds per thumbnail of `read` over all of them, one at a time, the median of `ROUNDS` rounds. */
async function perThumbnail(
  thumbs: Buffer[],
  read: (bytes: Buffer) => Promise<unknown>
): Promise<number> {
  const rounds: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now()
    for (const bytes of thumbs) await read(bytes)
    rounds.push(micro(performance.now() - started, thumbs.length))
  }
  return median(rounds)
}

/** The same for a synchronous reading, in a plain loop. */
function perThumbnailSync(thumbs: Buffer[], read: (bytes: Buffer) => unknown): number {
  const rounds: number[] = []
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now()
    for (const bytes of thumbs) read(bytes)
    rounds.push(micro(performance.now() - started, thumbs.length))
  }
  return median(rounds)
}

/** CPU of this process (main and the thread) per thumbnail, as a download hands them over. */
async function throughThread(thumbs: Buffer[]): Promise<{ cpu: number; batches: number }> {
  const thread = new SignatureThread()
  try {
    const run = async () => {
      const before = process.cpuUsage()
      for (let chunk = 0; chunk < THREAD_READS / 200; chunk++) {
        const reads: Promise<unknown>[] = []
        for (let i = 0; i < 200; i++) {
          reads.push(thread.read(thumbs[(chunk * 200 + i) % thumbs.length] as Buffer))
          // Thumbnails arrive a few at a time as their downloads end.
          if (i % 4 === 3) await new Promise((resolve) => setImmediate(resolve))
        }
        thread.flush()
        await Promise.all(reads)
      }
      const used = process.cpuUsage(before)
      return (used.user + used.system) / 1000
    }
    await run()
    const batches = thread.batches
    const cpu = median([await run(), await run(), await run()])
    return { cpu: micro(cpu, THREAD_READS), batches: (thread.batches - batches) / 3 }
  } finally {
    await thread.close()
  }
}

async function main() {
  const made = performance.now()
  const thumbs = await thumbnails()
  const bytes = thumbs.reduce((sum, t) => sum + t.length, 0)
  console.log(
    `${SIZE} demo thumbnails (${(bytes / SIZE / 1024).toFixed(1)} KB each on average) made in ` +
      `${((performance.now() - made) / 1000).toFixed(1)} s`
  )
  const unread = thumbs.filter((t) => jpegCellMeans(t) === null).length
  if (unread > 0)
    throw new Error(`${unread} demo thumbnails were not read from their DC coefficients`)
  const dc = perThumbnailSync(thumbs, jpegCellMeans)
  // The fallback for anything else: sharp's decode to 32x32.
  const full = await perThumbnail(thumbs.slice(0, 100), decodedSignature)
  const thread = await throughThread(thumbs)
  console.log('')
  console.log('| per thumbnail | time | baseline | ratio |')
  console.log('|---|---|---|---|')
  console.log(
    `| DC-only reading, in a loop (median of ${ROUNDS} rounds) | ${dc.toFixed(0)} µs | ` +
      `${full.toFixed(0)} µs, decoded through sharp to 32x32 | ${(dc / full).toFixed(3)} |`
  )
  console.log(
    `| through the signature thread, CPU of main and the thread (${THREAD_READS.toLocaleString('en')} ` +
      `thumbnails, ${thread.batches.toFixed(0)} messages) | ${thread.cpu.toFixed(0)} µs | ` +
      `${dc.toFixed(0)} µs, the reading in a loop | ${(thread.cpu / dc).toFixed(2)} |`
  )
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
