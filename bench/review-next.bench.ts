import { existsSync } from 'node:fs'
import { cp, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { chromiumExecutable } from '../e2e/browser'
import { startShellProcess, type ShellProcess } from '../e2e/shell-process'
import { taskJobId } from '../src/shared/job-id'
import { clientFor, openHarness } from './offline-live'
import { mapLimit } from '../src/main/map-limit'
import { cpuSpent, cpuTimes } from './processes'
import { startServiceProcess, type ServiceProcess } from './service-process'
import { taskSampleIds, writeThumbnails } from './thumbnails'
import { envCount } from './env'

/**
 * The next image on screen after a decision, on a labeling task of 100,000 images made
 * available offline whole: the real app in Chromium over the browser shell, against the local
 * service as its own process (online: the viewer reads each image again, verdicts are sent in
 * the background as a reviewer's would be).
 *
 * The task is made available offline through the offline layer as `offline-whole` does (its
 * thumbnails written in place first, `thumbnails.ts`), and the images the review will open are
 * asked for once (the local service draws a demo image on its first request; a real one holds
 * its images already, on another machine), then the app opens it in the same
 * profile, opens the first image and takes keys. Each step is timed in the page: from the
 * key's event time (`event.timeStamp`, a capture listener) to the first animation frame after
 * the viewer names the expected image and says it drew that image's boxes (`data-drawn` of
 * `[data-testid=box-count]` equal to its box count; a MutationObserver, then
 * requestAnimationFrame). `j` (plain next) first as the baseline, then `a` (accept: the verdict
 * queued, the next image without one comes up by itself); each after a few steps of warm-up.
 * `REVIEW_BENCH_SIZE` changes the task's size, `REVIEW_BENCH_STEPS` the steps of each key,
 * `REVIEW_BENCH_SERVICE_DATA` keeps the service's data (seeded, thumbnails written) between runs.
 */

const SIZE = envCount('REVIEW_BENCH_SIZE', 100_000)
const STEPS = envCount('REVIEW_BENCH_STEPS', 200)
const KEPT = process.env['REVIEW_BENCH_SERVICE_DATA']
/** A file name prefix: the app page's CPU profile of each key's steps is written there. */
const PROFILE = process.env['REVIEW_BENCH_PROFILE']
const WARMUP = 10
const TARGET_MS = 100
/** The old-version demo jobs beside the task: small, they are not measured. */
const DEMO_SIZE = 100
const STEP_TIMEOUT_MS = 30_000

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`
const ms = (x: number) => `${x.toFixed(1)} ms`

interface Expected {
  id: string
  name: string
  boxes: number
}

/** What the page keeps between the bench's calls (see `PROBE`). */
interface Probe {
  arm(expected: Expected, timeoutMs: number): void
  result: Promise<number> | null
}

/**
 * The probe, put in the app's page as source text (tsx would wrap functions passed to
 * `page.evaluate` in a helper the page does not have): `arm` before a key, then `result`
 * resolves to the time from the key to the frame that shows the expected image with its boxes.
 */
const PROBE = `(() => {
  const probe = { keyAt: null, result: null }
  const state = () => {
    const viewer = document.querySelector('[data-testid=viewer]')
    const count = document.querySelector('[data-testid=box-count]')
    return { label: viewer && viewer.getAttribute('aria-label'), drawn: count && count.getAttribute('data-drawn') }
  }
  probe.arm = (expected, timeoutMs) => {
    probe.keyAt = null
    probe.result = new Promise((resolve, reject) => {
      const shown = () => {
        const { label, drawn } = state()
        return probe.keyAt !== null && label !== null && label.endsWith(': ' + expected.name) &&
          drawn === String(expected.boxes)
      }
      const timer = setTimeout(() => {
        observer.disconnect()
        const { label, drawn } = state()
        reject(new Error('waited for ' + expected.name + ' with ' + expected.boxes +
          ' boxes; the viewer says "' + label + '", drawn ' + drawn))
      }, timeoutMs)
      const observer = new MutationObserver(() => {
        if (!shown()) return
        observer.disconnect()
        clearTimeout(timer)
        const from = probe.keyAt
        requestAnimationFrame(() => resolve(performance.now() - from))
      })
      observer.observe(document.body, {
        subtree: true, childList: true, attributes: true, attributeFilter: ['data-drawn', 'aria-label']
      })
    })
  }
  window.addEventListener('keydown', (event) => { if (probe.keyAt === null) probe.keyAt = event.timeStamp }, { capture: true })
  window.tagdeckProbe = probe
})()`

/** Presses `key` and returns the time until `expected` is on screen with its boxes. */
async function step(page: Page, key: string, expected: Expected): Promise<number> {
  await page.evaluate(
    ([e, timeout]) => (window as unknown as { tagdeckProbe: Probe }).tagdeckProbe.arm(e, timeout),
    [expected, STEP_TIMEOUT_MS] as const
  )
  await page.keyboard.press(key)
  return page.evaluate(
    () => (window as unknown as { tagdeckProbe: Probe }).tagdeckProbe.result as Promise<number>
  )
}

const quantile = (xs: number[], q: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]

/** The app, from its first screen to the task's first image in the viewer. */
async function openTask(page: Page, url: string, taskName: string, first: Expected) {
  await page.goto(url)
  await page
    .getByRole('button', { name: /^Open (?!the demo$)/ })
    .first()
    .click()
  await page.getByRole('button', { name: `Open the task ${taskName}` }).click()
  await page.getByTestId('tile').first().waitFor()
  await page.getByTestId('tile').first().dblclick()
  await page.getByRole('dialog', { name: `Image viewer: ${first.name}` }).waitFor()
  await page
    .locator(`[data-testid=box-count][data-drawn="${first.boxes}"]`)
    .waitFor({ timeout: STEP_TIMEOUT_MS })
}

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-review-next-bench-'))
  let service: ServiceProcess | null = null
  let shell: ShellProcess | null = null
  let browser: BrowserContext | null = null
  try {
    const kept = KEPT ? path.resolve(KEPT, String(SIZE)) : null
    const serviceDir = path.join(dir, 'service')
    const reused = kept !== null && existsSync(kept)
    if (kept && reused) await cp(kept, serviceDir, { recursive: true })
    const seeding = performance.now()
    service = await startServiceProcess(serviceDir, DEMO_SIZE, SIZE)
    const seeded = performance.now() - seeding
    const task = service.demo.newVersion?.tasks.find((t) => t.type === 1)
    if (!task) throw new Error('the demo has no detection task')
    if (!existsSync(path.join(serviceDir, 'thumbs', task.datasetId))) {
      console.log(`the service seeded the demo (tasks of ${SIZE} images) in ${seconds(seeded)}`)
      await service.stop()
      await writeThumbnails(serviceDir, task.datasetId, taskSampleIds(serviceDir, task.id))
      if (kept) await cp(serviceDir, kept, { recursive: true })
      service = await startServiceProcess(serviceDir, DEMO_SIZE, SIZE)
    }
    const jobId = taskJobId(task.datasetId, task.id)

    // What the viewer should show, in the task's order: every image has no verdict yet, so
    // `a` brings up the very next one as `j` does.
    const client = clientFor(service.demo)
    const listing = performance.now()
    await client.ops.listTasks(task.datasetId)
    const listed = performance.now() - listing
    const wanted = 1 + 2 * (WARMUP + STEPS)
    const order: Expected[] = []
    for (let page = 1; order.length < wanted; page++) {
      const { page: view } = await client.ops.listPage(jobId, { kind: 'everything' }, page, 100)
      if (view.samples.length === 0) break
      for (const s of view.samples) {
        if (s.verdict) throw new Error(`${s.name} has a verdict already`)
        order.push({ id: s.id, name: s.name, boxes: s.boxes.length })
      }
    }
    if (order.length < wanted)
      throw new Error(`the task has ${order.length} images, need ${wanted}`)
    // A real service holds its images already; the local one draws a demo image on its first
    // request (tens of ms of its CPU each, on the two cores the steps are measured on): the
    // images the review opens are asked for once before it.
    const drawing = performance.now()
    await mapLimit(order, 4, async ({ id }) => {
      const source = await client.ops.imageSource(jobId, id)
      const reply = await fetch(source)
      if (!reply.ok) throw new Error(`image ${id}: HTTP ${reply.status}`)
      await reply.arrayBuffer()
    })
    console.log(
      `the ${order.length} images the review opens drawn in ${seconds(performance.now() - drawing)}`
    )

    shell = await startShellProcess({
      userDataDir: path.join(dir, 'user'),
      demoFile: path.join(serviceDir, 'demo.json')
    })
    browser = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: chromiumExecutable(),
      headless: true,
      viewport: { width: 1280, height: 800 }
    })
    const harness = browser.pages()[0] ?? (await browser.newPage())
    const run = await openHarness(harness, shell)
    const { connectionId } = await run('setup')
    const cached = await run('cacheJob', { connectionId, jobId })
    if (cached.images !== SIZE || cached.failed > 0)
      throw new Error(`cached ${cached.images} images (${cached.failed} failed) of ${SIZE}`)
    await harness.close()

    const page = await browser.newPage()
    // What the app says on its console and in toasts, shown if a step never comes.
    const said: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') said.push(`${m.type()}: ${m.text()}`)
    })
    const opening = performance.now()
    await openTask(page, shell.url, task.name, order[0])
    const opened = performance.now() - opening
    await page.evaluate(PROBE)

    const times: Record<'j' | 'a', number[]> = { j: [], a: [] }
    const cpu: Record<'j' | 'a', string> = { j: '', a: '' }
    let at = 0
    const devtools = await page.context().newCDPSession(page)
    for (const key of ['j', 'a'] as const) {
      if (PROFILE) {
        await devtools.send('Profiler.enable')
        await devtools.send('Profiler.start')
      }
      const before = cpuTimes()
      for (let i = 0; i < WARMUP + STEPS; i++) {
        at += 1
        const took = await step(page, key, order[at]).catch(async (error: unknown) => {
          const toasts = await page.getByTestId('toast').allTextContents()
          console.error(
            `toasts: ${JSON.stringify(toasts)}; console: ${said.slice(-10).join(' | ')}`
          )
          if (PROFILE) {
            // What the page did while the step never came.
            const { profile } = await devtools.send('Profiler.stop')
            await writeFile(`${PROFILE}-${key}-failed.cpuprofile`, JSON.stringify(profile))
          }
          throw error
        })
        if (i >= WARMUP) times[key].push(took)
      }
      cpu[key] = cpuSpent(before, cpuTimes())
      if (PROFILE) {
        const { profile } = await devtools.send('Profiler.stop')
        await writeFile(`${PROFILE}-${key}.cpuprofile`, JSON.stringify(profile))
      }
    }

    const n = SIZE.toLocaleString('en')
    console.log(
      `service: seeded in ${seconds(seeded)}${reused ? ' (kept data: started)' : ''}, ` +
        `lists the two tasks in ${ms(listed)}; task made available offline in ${seconds(cached.ms)} ` +
        `(${cached.pages} pages, ${cached.images.toLocaleString('en')} thumbnails); ` +
        `the app showed its first image in ${seconds(opened)}`
    )
    for (const key of ['j', 'a'] as const)
      if (cpu[key]) console.log(`CPU seconds during ${key}: ${cpu[key]}`)
    const title = `next image with its boxes drawn, task of ${n} held whole (${STEPS} steps each)`
    console.log('')
    console.log(`| ${title} | p50 | p95 | max | p95 / ${TARGET_MS} ms`)
    console.log('|---|---|---|---|---')
    for (const [key, name] of [
      ['j', '`j` (next, the baseline)'],
      ['a', '`a` (accept, then the next without a verdict)']
    ] as const) {
      const xs = times[key]
      const p95 = quantile(xs, 0.95)
      const verdict = key === 'a' ? (p95 < TARGET_MS ? ' met' : ' MISSED') : ''
      console.log(
        `| ${name} | ${ms(quantile(xs, 0.5))} | ${ms(p95)} | ${ms(Math.max(...xs))} | ${(p95 / TARGET_MS).toFixed(2)}${verdict}`
      )
    }
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
