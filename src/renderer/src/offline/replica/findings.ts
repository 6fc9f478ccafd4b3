import type { Sample } from '../../../../shared/domain'
import { nearDuplicateGroupsOf } from './near-duplicates'
import { emptyInput, fillInput, type ProblemInput } from './problem-input'
import {
  checkImages,
  countLabelImages,
  DEFAULT_PROBLEM_SETTINGS,
  emptyFlags,
  rareLabelsOf,
  type ProblemFlags,
  type ProblemSettings
} from './problems'
import { emptyReport, reportRange, type ProblemReport } from './problem-report'

/**
 * Where the problem finder's checks and the near-duplicate grouping run: the app's is a Web
 * Worker (`worker-findings.ts`), so a 100,000-image job is checked and grouped without a long task
 * on the page; where there are no workers (vitest in Node) the same functions run here, the
 * checks a slice at a time (`inThreadFindings`). Either way the page only packs the job into
 * typed arrays and reads the answer back, a slice at a time (`scanProblems`).
 */
export interface Findings {
  /** Every check over `input` (its buffers are handed over: do not read it after). */
  problems(input: ProblemInput, settings: ProblemSettings): Promise<ProblemFlags>
  /**
   * Groups of near-duplicates among signatures laid end to end, with their bucket keys where
   * worked out already (`signatureKeys`; both handed over alike).
   */
  groups(signatures: Float32Array, keys?: Uint32Array): Promise<GroupList>
}

/** Groups as indexes of the signatures sent: group g is `members[starts[g] .. starts[g + 1])`. */
export interface GroupList {
  members: Int32Array
  starts: Int32Array
}

export type FindingsRequest =
  | { id: number; kind: 'problems'; input: ProblemInput; settings: ProblemSettings }
  | { id: number; kind: 'groups'; signatures: Float32Array; keys?: Uint32Array }

export type FindingsResponse =
  | { id: number; kind: 'problems'; flags: ProblemFlags }
  | { id: number; kind: 'groups'; groups: GroupList }
  | { id: number; kind: 'error'; message: string }

/** `nearDuplicateGroupsOf` the signatures laid end to end, its answer in two arrays. */
export function groupSignatures(signatures: Float32Array, keys?: Uint32Array): GroupList {
  const groups = nearDuplicateGroupsOf(signatures, undefined, keys)
  const starts = new Int32Array(groups.length + 1)
  groups.forEach((g, n) => (starts[n + 1] = (starts[n] as number) + g.length))
  return { members: Int32Array.from(groups.flat()), starts }
}

/** Runs `work` over `0..count` in steps of `step`, giving the thread back between steps. */
export async function inSlices(
  count: number,
  step: number,
  work: (from: number, to: number) => void,
  pause: () => Promise<void>
): Promise<void> {
  for (let from = 0; from < count; from += step) {
    work(from, Math.min(count, from + step))
    await pause()
  }
}

/**
 * Gives the page's thread back for a moment (between two slices of work): a message to itself,
 * as a chain of `setTimeout(0)` is held to 4 ms a step after the fifth.
 */
export const pauseForPage = () =>
  new Promise<void>((resolve) => {
    const channel = new MessageChannel()
    channel.port1.onmessage = () => {
      channel.port1.close()
      resolve()
    }
    channel.port2.postMessage(null)
  })

/** Images checked between two pauses on the page: a few milliseconds of work. */
const CHECK_SLICE = 1_000
/** Images packed into the input, or read back from the answer, between two pauses. */
const PACK_SLICE = 1_000

/** The checks on this thread, a slice at a time; the grouping at once (no workers here). */
export function inThreadFindings(pause: () => Promise<void>): Findings {
  return {
    async problems(input, settings) {
      const images = new Int32Array(input.labels.length)
      await inSlices(
        input.count,
        CHECK_SLICE * 4,
        (from, to) => countLabelImages(input, from, to, images),
        pause
      )
      const flags = emptyFlags(input, rareLabelsOf(images, input.count, settings.rareShare))
      await inSlices(
        input.count,
        CHECK_SLICE,
        (from, to) => checkImages(input, from, to, settings, flags),
        pause
      )
      return flags
    },
    groups: async (signatures, keys) => groupSignatures(signatures, keys)
  }
}

/**
 * The problem finder's report on `samples`: packed a slice at a time, checked by `findings`,
 * read back a slice at a time. The page's longest task is one slice.
 */
export async function scanProblems(
  samples: readonly Sample[],
  findings: Findings,
  pause: () => Promise<void>,
  settings: ProblemSettings = DEFAULT_PROBLEM_SETTINGS
): Promise<ProblemReport> {
  const input = emptyInput(samples)
  const ids = new Map<string, number>()
  await inSlices(
    samples.length,
    PACK_SLICE,
    (from, to) => fillInput(samples, from, to, input, ids),
    pause
  )
  // The worker gets the buffers; what is read back needs only the labels and box offsets.
  const { labels, boxStart } = input
  const kept = { ...input, labels: [...labels], boxStart: boxStart.slice() }
  const flags = await findings.problems(input, settings)
  const report = emptyReport(kept, flags)
  await inSlices(
    samples.length,
    PACK_SLICE,
    (from, to) => reportRange(samples, from, to, flags, report),
    pause
  )
  return report
}
