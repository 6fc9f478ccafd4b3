import Database from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import sharp from 'sharp'
import { chromium, type BrowserContext } from 'playwright-core'
import { chromiumExecutable } from '../e2e/browser'
import { startShellProcess, type ShellProcess } from '../e2e/shell-process'
import { openHarness } from './offline-live'
import { residentBytes } from './processes'
import { startServiceProcess, type ServiceProcess } from './service-process'

/**
 * "Make available offline" on a whole 100,000-image detection job, end to end: the real offline
 * layer in Chromium (on-disk profile) over the browser shell's bridge to the real main-process
 * code, against the local service as its own process. Reports the time, the disk used (main's
 * image cache and Chromium's IndexedDB) and the renderer's peak memory (its JS heap through
 * DevTools, and its resident memory from /proc), sampled every 250 ms.
 *
 * The service draws a demo image and its thumbnail on first request, about 50 a second here:
 * 100,000 would take over half an hour. So before the service starts, each sample's thumbnail
 * file is written in place from a set of 1,000 drawn ones, with the sample's id appended after
 * the JPEG's end: every thumbnail is a distinct file (the cache stores bytes once per SHA-256,
 * so copies would make the disk figure a tenth of the truth) of the same size as a real one.
 * `WHOLE_BENCH_SIZE` changes the job size; `WHOLE_BENCH_SERVICE_DATA` keeps the service's
 * data (seeded, thumbnails written) between runs.
 */

const SIZE = Number(process.env['WHOLE_BENCH_SIZE'] ?? 100_000)
const KEPT = process.env['WHOLE_BENCH_SERVICE_DATA']
const BASE_THUMBS = 1_000
/** The thumbnail variant the app asks for (see src/service/image-urls.ts `variantKey`). */
const THUMB_VARIANT = 'h200'
const SAMPLE_EVERY_MS = 250

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

/** Thumbnail-like JPEGs: a few shapes on a noisy ground, 200 px high, quality 80. */
async function drawBases(count: number): Promise<Buffer[]> {
  const bases: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const hue = (i * 47) % 360
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="267" height="200">
      <rect width="267" height="200" fill="hsl(${hue},30%,85%)"/>
      <rect x="${20 + (i % 90)}" y="${30 + (i % 60)}" width="${60 + (i % 70)}" height="${50 + (i % 40)}" fill="hsl(${(hue + 120) % 360},70%,50%)"/>
      <circle cx="${180 - (i % 80)}" cy="${120 - (i % 50)}" r="${20 + (i % 30)}" fill="hsl(${(hue + 240) % 360},70%,45%)"/>
    </svg>`
    bases.push(
      await sharp(Buffer.from(svg))
        .composite([
          {
            input: await sharp({
              create: {
                width: 267,
                height: 200,
                channels: 3,
                background: '#000',
                noise: { type: 'gaussian', mean: 0, sigma: 12 }
              }
            })
              .png()
              .toBuffer(),
            blend: 'overlay'
          }
        ])
        .jpeg({ quality: 80 })
        .toBuffer()
    )
  }
  return bases
}

/** Writes every sample's thumbnail of `jobId` where the service looks for it. */
async function writeThumbnails(dataDir: string, jobId: string): Promise<number> {
  const db = new Database(path.join(dataDir, 'tagdeck.db'), { readonly: true })
  let ids: string[]
  try {
    ids = (
      db.prepare('SELECT id FROM samples WHERE dataset_id = ?').all(jobId) as { id: string }[]
    ).map((r) => r.id)
  } finally {
    db.close()
  }
  const bases = await drawBases(BASE_THUMBS)
  const made = new Set<string>()
  let bytes = 0
  for (const [i, id] of ids.entries()) {
    const dir = path.join(dataDir, 'thumbs', jobId, id.slice(0, 2))
    if (!made.has(dir)) await mkdir(dir, { recursive: true })
    made.add(dir)
    const file = Buffer.concat([bases[i % BASE_THUMBS], Buffer.from(id)])
    bytes += file.length
    await writeFile(path.join(dir, `${id}.${THUMB_VARIANT}.jpg`), file)
  }
  console.log(
    `${ids.length.toLocaleString('en')} thumbnails written for the service (${mib(bytes)}, from ${BASE_THUMBS} drawn)`
  )
  return ids.length
}

/** Bytes under `dir` (du), 0 if it is not there. */
function diskUsed(dir: string): number {
  if (!existsSync(dir)) return 0
  return Number(execFileSync('du', ['-sb', dir], { encoding: 'utf8' }).split('\t')[0])
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-whole-bench-'))
  const executablePath = chromiumExecutable()
  let service: ServiceProcess | null = null
  let shell: ShellProcess | null = null
  let browser: BrowserContext | null = null
  try {
    const kept = KEPT ? path.resolve(KEPT, String(SIZE)) : null
    const serviceDir = path.join(dir, 'service')
    if (kept && existsSync(kept)) await cp(kept, serviceDir, { recursive: true })
    // The first start seeds the demo; thumbnails are written with the service stopped.
    service = await startServiceProcess(serviceDir, SIZE)
    const jobId = service.demo.datasets.find((d) => d.type === 1)?.id
    if (!jobId) throw new Error('the demo has no detection job')
    if (!existsSync(path.join(serviceDir, 'thumbs', jobId))) {
      await service.stop()
      await writeThumbnails(serviceDir, jobId)
      if (kept) await cp(serviceDir, kept, { recursive: true })
      service = await startServiceProcess(serviceDir, SIZE)
    }

    shell = await startShellProcess({
      userDataDir: path.join(dir, 'user'),
      demoFile: path.join(serviceDir, 'demo.json')
    })
    const profile = path.join(dir, 'profile')
    browser = await chromium.launchPersistentContext(profile, { executablePath, headless: true })
    const page = browser.pages()[0] ?? (await browser.newPage())
    const run = await openHarness(page, shell)
    const { connectionId } = await run('setup')

    const devtools = await page.context().newCDPSession(page)
    await devtools.send('Performance.enable')
    const peak = { heap: 0, rss: 0 }
    const sample = async () => {
      const { metrics } = await devtools.send('Performance.getMetrics')
      const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0
      peak.heap = Math.max(peak.heap, heap)
      peak.rss = Math.max(peak.rss, residentBytes('chromium renderer'))
    }
    const sampler = setInterval(() => {
      sample().catch((error: unknown) => console.error('memory sample failed:', error))
    }, SAMPLE_EVERY_MS)
    await sample()
    const before = { heap: peak.heap, rss: peak.rss }
    let cached
    try {
      cached = await run('cacheJob', { connectionId, jobId })
    } finally {
      clearInterval(sampler)
    }
    await sample()
    if (cached.images !== SIZE || cached.failed > 0)
      throw new Error(`cached ${cached.images} images (${cached.failed} failed) of ${SIZE}`)

    await browser.close()
    browser = null
    await shell.stop()
    shell = null
    const imageCache = diskUsed(path.join(dir, 'user', 'image-cache'))
    const indexedDb = diskUsed(path.join(profile, 'Default', 'IndexedDB'))
    const n = SIZE.toLocaleString('en')
    const rows: [string, string][] = [
      ['time (pages, then thumbnails, until "available")', seconds(cached.ms)],
      [
        'pages and thumbnails',
        `${cached.pages} pages, ${cached.images.toLocaleString('en')} thumbnails (${mib(cached.bytes)})`
      ],
      ["disk: main's image cache", mib(imageCache)],
      ["disk: Chromium's IndexedDB (pages, replica)", mib(indexedDb)],
      ["renderer's JS heap, before / peak", `${mib(before.heap)} / ${mib(peak.heap)}`],
      [
        "renderer's resident memory, before / peak",
        before.rss ? `${mib(before.rss)} / ${mib(peak.rss)}` : 'no /proc here'
      ]
    ]
    const title = `make a ${n}-image detection job available offline`
    const width = Math.max(title.length, ...rows.map(([name]) => name.length))
    console.log('')
    console.log(`| ${title.padEnd(width)} | result`)
    console.log(`|${'-'.repeat(width + 2)}|-------`)
    for (const [name, value] of rows) console.log(`| ${name.padEnd(width)} | ${value}`)
  } finally {
    await browser?.close()
    await shell?.stop()
    await service?.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
