import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'
import { chromiumExecutable } from '../e2e/browser'
import { startShellProcess, type ShellProcess } from '../e2e/shell-process'
import type { Operations } from '../src/main/api/operations'
import { mapLimit } from '../src/main/map-limit'
import {
  DEFAULT_SYNC_OPTIONS,
  EDIT_CONCURRENCY
} from '../src/renderer/src/offline/sync/sync-engine'
import { OUTBOX_GROUP } from '../src/renderer/src/offline/store/db'
import type { Sample } from '../src/shared/domain'
import { taskJobId } from '../src/shared/job-id'
import { labelSetOf } from '../src/shared/labels'
import { openHarnessPage } from './harness-page'
import { clientFor } from './offline-live'
import { cpuSpent, cpuTimes } from './processes'
import { labelChange, MIX, MIX_SIZE, splitMix, verdictOf } from './review-changes'
import { startServiceProcess, type ServiceProcess } from './service-process'
import { envCount } from './env'

/**
 * Syncing 1,000 mixed review changes of a labeling task (400 label edits, 400 verdicts, 200
 * deletions): queued through the real offline layer in Chromium (on-disk profile), then sent
 * by its sync runner (`drain` and `drainEdits`, until every answer is stored; the folds that
 * follow are timed apart) over the browser shell's bridge to the real
 * main-process code, against the local service as its own process. Next to it, the same calls
 * made directly from Node with main's Operations: `deleteSamples` in chunks of 100 and as many
 * at a time as the runner sends deletions, then `applyLabelEdits` and `applyVerdicts` in chunks
 * of 100, `EDIT_CONCURRENCY` at a time as the runner sends edits (main's merge reads every
 * edited image again on both sides). Each side changes images of its own (a round takes 2,000
 * of the task), so both meet the same service. `ROUNDS` rounds of the app then the direct
 * calls; the round with the median ratio is the result, each round's numbers are shown.
 */

const ROUNDS = envCount('REVIEW_SYNC_BENCH_ROUNDS', 9)
const TARGET = 1.3
/** Waited between queueing a round's changes and syncing them (`REVIEW_SYNC_BENCH_QUIET_MS`). */
const QUIET_MS = envCount('REVIEW_SYNC_BENCH_QUIET_MS', 0, 0)
/** The old-version demo jobs beside the task: small, they are not used. */
const DEMO_SIZE = 100

type JobKey = { connectionId: string; jobId: string }

/** The functions of `harness/review-sync.ts`, as the page holds them. */
interface Harness {
  setup(): Promise<string>
  queue(job: JobKey, ids: string[]): Promise<number>
  sync(): Promise<{
    ms: number
    deletionsMs: number
    editsMs: number
    calls: { channel: string; from: number; to: number }[]
    deletions: { batches: number; done: number; failed: number; retried: number; paused: number }
    edits: Record<'done' | 'conflicts' | 'parked' | 'failed' | 'retried' | 'paused', number>
  }>
  fold(): Promise<{
    ms: number
    left: { deletions: Record<string, number>; edits: Record<string, number> }
  }>
}

const chunks = <T>(xs: readonly T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(xs.length / size) }, (_, i) => xs.slice(i * size, (i + 1) * size))

/** Every image of the task, as the service lists them. */
async function samplesOf(ops: Operations, jobId: string): Promise<Sample[]> {
  const samples: Sample[] = []
  for (let page = 1; ; page++) {
    const { page: view } = await ops.listPage(jobId, { kind: 'everything' }, page, 100)
    samples.push(...view.samples)
    if (view.samples.length === 0 || samples.length >= view.total) return samples
  }
}

/** The same calls the sync makes, from Node, deletions and edits side by side; their times. */
async function direct(
  ops: Operations,
  jobId: string,
  samples: Sample[]
): Promise<{ ms: number; deletionsMs: number; editsMs: number }> {
  const mix = splitMix(samples)
  const edits = mix.labels.map((s) => {
    const { mine, origins } = labelChange(s)
    return { sampleId: s.id, base: labelSetOf(s), mine, origins, cleared: false }
  })
  const calls: (() => Promise<{ status: string }[]>)[] = [
    ...chunks(edits, OUTBOX_GROUP).map((chunk) => () => ops.applyLabelEdits(jobId, chunk)),
    ...chunks(mix.verdicts.map(verdictOf), OUTBOX_GROUP).map(
      (chunk) => () => ops.applyVerdicts(jobId, 'review', chunk)
    )
  ]
  const started = performance.now()
  const timed = async <T>(work: Promise<T>): Promise<[T, number]> => {
    const result = await work
    return [result, performance.now() - started]
  }
  const [[deleted, deletionsMs], [outcomes, editsMs]] = await Promise.all([
    timed(
      mapLimit(
        chunks(
          mix.deletions.map((s) => s.id),
          OUTBOX_GROUP
        ),
        DEFAULT_SYNC_OPTIONS.concurrency,
        (ids) => ops.deleteSamples(jobId, ids)
      )
    ),
    timed(mapLimit(calls, EDIT_CONCURRENCY, (send) => send()))
  ])
  const ms = performance.now() - started
  const ok = new Set(['deleted', 'updated', 'done'])
  const bad = [...deleted.flat(), ...outcomes.flat()].filter((o) => !ok.has(o.status))
  if (bad.length > 0)
    throw new Error(`direct calls: ${bad.length} not done: ${JSON.stringify(bad[0])}`)
  return { ms, deletionsMs, editsMs }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`

async function main() {
  const dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-review-sync-bench-'))
  let service: ServiceProcess | null = null
  let shell: ShellProcess | null = null
  let browser: BrowserContext | null = null
  try {
    service = await startServiceProcess(path.join(dir, 'service'), DEMO_SIZE, 2 * ROUNDS * MIX_SIZE)
    const task = service.demo.newVersion?.tasks.find((t) => t.type === 1)
    if (!task) throw new Error('the demo has no detection task')
    const jobId = taskJobId(task.datasetId, task.id)
    const ops = clientFor(service.demo).ops

    shell = await startShellProcess({
      userDataDir: path.join(dir, 'user'),
      demoFile: path.join(service.dataDir, 'demo.json')
    })
    browser = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
      executablePath: chromiumExecutable(),
      headless: true
    })
    const page = browser.pages()[0] ?? (await browser.newPage())
    const run = await openHarnessPage<Harness>(
      page,
      'review-sync.ts',
      `${shell.origin}/__bench/${new URL(shell.url).hash}`,
      'inject'
    )
    const job = { connectionId: await run('setup'), jobId }

    console.log('rounds (app / direct calls):')
    // Each round's images are picked before any is deleted (deletions move later ones up).
    const all = await samplesOf(ops, jobId)
    const rounds: { ours: number; direct: number; queued: number; cpu: string[] }[] = []
    for (let round = 0; round < ROUNDS; round++) {
      const from = round * 2 * MIX_SIZE
      const ours = all.slice(from, from + MIX_SIZE).map((s) => s.id)
      const queued = await run('queue', job, ours)
      // The changes were queued over a review, not a moment before the sync: the database's
      // own work after the writes (Chromium's IndexedDB compacts behind them) is done by then.
      if (QUIET_MS > 0) await new Promise((resolve) => setTimeout(resolve, QUIET_MS))
      const before = cpuTimes()
      const synced = await run('sync')
      const between = cpuTimes()
      const folded = await run('fold')
      const afterFold = cpuTimes()
      const done = synced.deletions.done + synced.edits.done
      const left =
        Object.values(folded.left.deletions).reduce((a, b) => a + b, 0) +
        Object.values(folded.left.edits).reduce((a, b) => a + b, 0)
      if (done !== MIX_SIZE || left !== 0)
        throw new Error(
          `round ${round + 1}: ${done} done, ${left} left: ${JSON.stringify({ synced, folded })}`
        )
      const theirs = all.slice(from + MIX_SIZE, from + 2 * MIX_SIZE)
      const start = cpuTimes()
      const straight = await direct(ops, jobId, theirs)
      const directMs = straight.ms
      const cpu = [
        cpuSpent(before, between),
        cpuSpent(between, afterFold),
        cpuSpent(start, cpuTimes())
      ]
      rounds.push({ ours: synced.ms, direct: directMs, queued, cpu })
      // Each round as it ends: a run cut short still says something.
      console.log(
        `  round ${round + 1}: app ${seconds(synced.ms)} / direct ${seconds(directMs)} = ` +
          `${(synced.ms / directMs).toFixed(2)} (queued in ${seconds(queued)}); deletions done ` +
          `after ${seconds(synced.deletionsMs)} / ${seconds(straight.deletionsMs)}, edits ` +
          `${seconds(synced.editsMs)} / ${seconds(straight.editsMs)}; then deletions and edits ` +
          `folded into the outbox and the cached pages in ${seconds(folded.ms)}`
      )
      if (cpu[0])
        console.log(`    CPU seconds: app: ${cpu[0]}; its folds: ${cpu[1]}; direct: ${cpu[2]}`)
      if (process.env['REVIEW_SYNC_BENCH_CALLS'])
        for (const c of synced.calls)
          console.log(`    ${c.channel}: ${c.from.toFixed(0)}-${c.to.toFixed(0)} ms`)
    }

    const ratio = (r: { ours: number; direct: number }) => r.ours / r.direct
    const median = [...rounds].sort((a, b) => ratio(a) - ratio(b))[Math.floor(ROUNDS / 2)]
    console.log(
      `${MIX.labels} label edits, ${MIX.verdicts} verdicts, ${MIX.deletions} deletions a round, ` +
        `each side on images of its own of a ${(2 * ROUNDS * MIX_SIZE).toLocaleString('en')}-image labeling task`
    )
    const name = 'sync 1,000 mixed review changes'
    console.log('')
    console.log(`| ${name} | app | direct calls | ratio (target < ${TARGET}) |`)
    console.log('|---|---|---|---|')
    console.log(
      `| median round of ${ROUNDS} | ${seconds(median.ours)} | ${seconds(median.direct)} | ` +
        `${ratio(median).toFixed(2)} ${ratio(median) < TARGET ? 'met' : 'MISSED'} |`
    )
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
