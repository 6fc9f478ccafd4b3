import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { cp, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { chromiumExecutable } from '../e2e/browser'
import { startShellProcess, type ShellProcess } from '../e2e/shell-process'
import { openHarness } from './offline-live'
import { residentBytes } from './processes'
import { startServiceProcess, type ServiceProcess } from './service-process'
import { datasetSampleIds, writeThumbnails } from './thumbnails'
import { envCount } from './env'

/**
 * "Make available offline" on a whole 100,000-image detection job, end to end: the real offline
 * layer in Chromium (on-disk profile) over the browser shell's bridge to the real main-process
 * code, against the local service as its own process. Reports the time, the disk used (main's
 * image cache and Chromium's IndexedDB) and the renderer's peak memory (its JS heap through
 * DevTools, and its resident memory from /proc), sampled every 250 ms.
 *
 * The service draws a demo image and its thumbnail on first request, about 50 a second here:
 * 100,000 would take over half an hour. So before the service starts, each sample's thumbnail
 * file is written in place (`thumbnails.ts`).
 * `WHOLE_BENCH_SIZE` changes the job size; `WHOLE_BENCH_SERVICE_DATA` keeps the service's
 * data (seeded, thumbnails written) between runs.
 */

const SIZE = envCount('WHOLE_BENCH_SIZE', 100_000)
const KEPT = process.env['WHOLE_BENCH_SERVICE_DATA']
const SAMPLE_EVERY_MS = 250

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`

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
      await writeThumbnails(serviceDir, jobId, datasetSampleIds(serviceDir, jobId))
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
