import { nearDuplicateGroups } from '../src/renderer/src/offline/replica/near-duplicates'
import { demoSignatures } from './demo-signatures'
import { FINDINGS_WORKER, harnessBrowser, workerScript } from './harness-page'
import { median } from './stats'
import { envCount } from './env'

/**
 * Grouping the near-duplicate signatures of a 100,000-image job (the problem finder's
 * near-duplicates, `src/renderer/src/offline/replica/near-duplicates.ts`), in Node: the work is
 * pure arithmetic, the same in the renderer. The images are drawn like the demo's (two pastel
 * colours across the frame, one to three saturated shapes, each a cell or two of the 4x4
 * signature), with 1% of them copied (every value moved a little, as recompression and a slight
 * crop do). Target: 100,000 in under 2 s. The generator is harsher than the demo: many of its
 * images are near-duplicates of each other by chance, which makes big groups and big buckets.
 * `NEAR_DUP_BENCH_SIZE` changes the size.
 *
 * Then the same in Chromium as the app runs it: packed into one array on the page, handed to the
 * findings worker, grouped there, the answer handed back; with the page's longest task meanwhile
 * (target: none over 100 ms), and the grouping on the page itself to compare.
 */

const SIZE = envCount('NEAR_DUP_BENCH_SIZE', 100_000)
const TARGET_MS = 2_000
const ROUNDS = 3
const LONG_TASK_TARGET_MS = 100

type Grouped = {
  ms: number
  longestTaskMs: number
  longTasks: number
  groups: number
  found: number
}
type Harness = {
  prepare(size: number, script: string): Promise<number>
  inWorker(): Promise<Grouped>
  onPage(): Promise<Grouped>
}

const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED')

async function inChromium() {
  const { run, close } = await harnessBrowser<Harness>(
    'near-duplicates.ts',
    'tagdeck-bench-near-dup-'
  )
  try {
    const planted = await run('prepare', SIZE, await workerScript(FINDINGS_WORKER))
    const worker: Grouped[] = []
    const onPage: Grouped[] = []
    // Interleaved, so both sides see the same load.
    for (let round = 0; round < ROUNDS; round++) {
      worker.push(await run('inWorker'))
      onPage.push(await run('onPage'))
    }
    const ms = median(worker.map((r) => r.ms))
    const longest = Math.max(...worker.map((r) => r.longestTaskMs))
    const pageMs = median(onPage.map((r) => r.ms))
    const pageLongest = Math.max(...onPage.map((r) => r.longestTaskMs))
    const task = (x: number) => (x > 0 ? `${x.toFixed(0)} ms` : 'none of 50 ms or more')
    console.log(`  in Chromium, ${ROUNDS} rounds each:`)
    console.log(
      `    through the findings worker: ${worker.map((r) => r.ms.toFixed(0)).join(', ')} ms; median ${ms.toFixed(0)} ms, ${(ms / TARGET_MS).toFixed(2)} of the ${TARGET_MS} ms target: ${verdict(ms < TARGET_MS)}`
    )
    console.log(
      `    the page's longest task meanwhile: ${task(longest)}${longest > 0 ? `, ${(longest / LONG_TASK_TARGET_MS).toFixed(2)} of` : ' (under'} the ${LONG_TASK_TARGET_MS} ms target${longest > 0 ? '' : ')'}: ${verdict(longest < LONG_TASK_TARGET_MS)}`
    )
    console.log(
      `    the same on the page's own thread: median ${pageMs.toFixed(0)} ms, longest task ${task(pageLongest)}; worker / page: ${(ms / pageMs).toFixed(2)}`
    )
    const found = worker[0]?.found ?? 0
    if (worker.some((r) => r.found !== found || r.groups !== onPage[0]?.groups))
      throw new Error('the worker and the page grouped differently')
    console.log(`    planted copies found: ${found} of ${planted} (the same groups on both)`)
  } finally {
    await close()
  }
}

function main() {
  const { signatures, planted } = demoSignatures(SIZE)
  const times: number[] = []
  let groups: number[][] = []
  for (let round = 0; round < ROUNDS; round++) {
    const started = performance.now()
    groups = nearDuplicateGroups(signatures)
    times.push(performance.now() - started)
  }
  const pairs = new Set(
    groups.flatMap((g) => g.flatMap((a, i) => g.slice(i + 1).map((b) => `${a}-${b}`)))
  )
  const found = [...planted].filter((p) => pairs.has(p)).length
  const median = [...times].sort((a, b) => a - b)[ROUNDS >> 1] ?? 0
  const n = SIZE.toLocaleString('en')
  console.log(`near-duplicate groups of ${n} demo-like signatures (${planted.size} planted copies)`)
  console.log(`  rounds: ${times.map((t) => `${t.toFixed(0)} ms`).join(', ')}`)
  console.log(
    `  grouping, median of ${ROUNDS}: ${median.toFixed(0)} ms, ${(median / TARGET_MS).toFixed(2)} of the ${TARGET_MS} ms target: ${median < TARGET_MS ? 'met' : 'MISS'}`
  )
  console.log(
    `  planted copies found: ${found} of ${planted.size}; pairs in groups: ${pairs.size} (${pairs.size - found} between images not planted as copies)`
  )
}

main()
inChromium().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
