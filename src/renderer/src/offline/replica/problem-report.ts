import type { Sample } from '../../../../shared/domain'
import { inputOf, type ProblemInput } from './problem-input'
import {
  BIT,
  checkAll,
  DEFAULT_PROBLEM_SETTINGS,
  PROBLEM_KINDS,
  type ProblemFlags,
  type ProblemKind,
  type ProblemSettings
} from './problems'

/** What one image has: its problems, and for each offending box (by index) why. */
export interface SampleProblems {
  kinds: ProblemKind[]
  boxes: { index: number; kinds: ProblemKind[] }[]
}

export interface ProblemReport {
  /** Images with at least one problem, by id. */
  bySample: FlaggedImages
  /** Images per check. */
  counts: Record<ProblemKind, number>
  /** The labels the rare-label check found. */
  rareLabels: string[]
}

/** The lists of kinds, one per combination of bits (shared and frozen: nobody changes them). */
const kindLists = new Map<number, ProblemKind[]>()
const kindsOf = (bits: number): ProblemKind[] => {
  let kinds = kindLists.get(bits)
  if (!kinds) {
    kinds = Object.freeze(PROBLEM_KINDS.filter((k) => (bits & BIT[k]) !== 0)) as ProblemKind[]
    kindLists.set(bits, kinds)
  }
  return kinds
}

/**
 * The images with a problem, by id, read like a map. What was found stays in the checks' bit
 * arrays and an image's `SampleProblems` is made when asked for: at 100,000 images, making
 * them all at once was half a million small objects on the page, and the garbage collector's
 * copying of them made tasks of 90-150 ms (a trace of the replica bench, load average 6-8).
 */
export class FlaggedImages {
  /** Image id -> its place in the arrays checked. */
  private readonly place = new Map<string, number>()

  constructor(
    private readonly flags: ProblemFlags,
    private readonly boxStart: Int32Array
  ) {}

  get size(): number {
    return this.place.size
  }

  has(id: string): boolean {
    return this.place.has(id)
  }

  /** The image's problems (undefined: none), without its boxes'. */
  kinds(id: string): ProblemKind[] | undefined {
    const at = this.place.get(id)
    return at === undefined ? undefined : kindsOf(this.flags.sample[at] as number)
  }

  get(id: string): SampleProblems | undefined {
    const at = this.place.get(id)
    return at === undefined ? undefined : this.at(at)
  }

  keys(): IterableIterator<string> {
    return this.place.keys()
  }

  *[Symbol.iterator](): IterableIterator<[string, SampleProblems]> {
    for (const [id, at] of this.place) yield [id, this.at(at)]
  }

  /** Records image `id`, at `at` in the arrays checked (`reportRange`). */
  add(id: string, at: number): void {
    this.place.set(id, at)
  }

  private at(at: number): SampleProblems {
    const boxes: SampleProblems['boxes'] = []
    const first = this.boxStart[at] as number
    const end = this.boxStart[at + 1] as number
    for (let b = first; b < end; b++) {
      const bits = this.flags.box[b] as number
      if (bits !== 0) boxes.push({ index: b - first, kinds: kindsOf(bits) })
    }
    return { kinds: kindsOf(this.flags.sample[at] as number), boxes }
  }
}

/** A report on `input` from `flags`, its images still to be read in (`reportRange`). */
export function emptyReport(input: ProblemInput, flags: ProblemFlags): ProblemReport {
  return {
    bySample: new FlaggedImages(flags, input.boxStart),
    counts: Object.fromEntries(PROBLEM_KINDS.map((k) => [k, 0])) as Record<ProblemKind, number>,
    rareLabels: [...flags.rare].map((id) => input.labels[id] as string).sort()
  }
}

/** Reads what the checks found on `samples[from..to)` into `report`. */
export function reportRange(
  samples: readonly Sample[],
  from: number,
  to: number,
  flags: ProblemFlags,
  report: ProblemReport
): void {
  for (let s = from; s < to; s++) {
    const bits = flags.sample[s] as number
    if (bits === 0) continue
    report.bySample.add((samples[s] as Sample).id, s)
    for (const k of kindsOf(bits)) report.counts[k] += 1
  }
}

/** Every check over `samples` at once, on this thread (tests, small jobs). */
export function findProblems(
  samples: readonly Sample[],
  settings: ProblemSettings = DEFAULT_PROBLEM_SETTINGS
): ProblemReport {
  const input = inputOf(samples)
  const flags = checkAll(input, settings)
  const report = emptyReport(input, flags)
  reportRange(samples, 0, samples.length, flags, report)
  return report
}
