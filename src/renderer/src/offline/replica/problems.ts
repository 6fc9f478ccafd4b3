import type { Box, Sample } from '../../../../shared/domain'
import { iou } from '../../../../shared/labels'

/**
 * The problem finder's checks: what training would silently drop or learn wrong (boxes out of
 * the image or with no area, tiny, duplicated or overlapping boxes) and what a reviewer should
 * look at first (untagged images, images with no size, rare labels, crowded images). Pure and
 * in one pass over a job's samples, so it runs the same on the replica, on cached pages, in a
 * worker or in a test.
 */

export const PROBLEM_KINDS = [
  'outOfBounds',
  'noArea',
  'tiny',
  'duplicate',
  'overlap',
  'untagged',
  'noSize',
  'rareLabel',
  'tooManyBoxes'
] as const
export type ProblemKind = (typeof PROBLEM_KINDS)[number]

export interface ProblemSettings {
  /** A box is tiny when its width or height is under this many pixels... */
  tinyPx: number
  /** ...or its area under this share of the image's. */
  tinyShare: number
  /** Two boxes of one label overlapping at least this much (IoU) are duplicates. */
  duplicateIoU: number
  /** Boxes of two labels overlapping at least this much (IoU) are suspect. */
  overlapIoU: number
  /** A label on fewer than this share of the job's images is rare. */
  rareShare: number
  /** More boxes than this on one image. */
  maxBoxes: number
}

export const DEFAULT_PROBLEM_SETTINGS: ProblemSettings = {
  tinyPx: 4,
  tinyShare: 0.0001,
  duplicateIoU: 0.9,
  overlapIoU: 0.8,
  rareShare: 0.01,
  maxBoxes: 50
}

/** What one image has: its problems, and for each offending box (by index) why. */
export interface SampleProblems {
  kinds: ProblemKind[]
  boxes: { index: number; kinds: ProblemKind[] }[]
}

export interface ProblemReport {
  /** Images with at least one problem, by id. */
  bySample: Map<string, SampleProblems>
  /** Images per check. */
  counts: Record<ProblemKind, number>
  /** The labels the rare-label check found. */
  rareLabels: string[]
}

export { iou }

/** Bits of `PROBLEM_KINDS`, so a clean image costs no allocation. */
const BIT = Object.fromEntries(PROBLEM_KINDS.map((k, i) => [k, 1 << i])) as Record<
  ProblemKind,
  number
>
const kindsOf = (bits: number): ProblemKind[] => PROBLEM_KINDS.filter((k) => (bits & BIT[k]) !== 0)

/** Adds the images of `samples[from..to)` to each of their labels' count. */
function countImages(
  samples: readonly Sample[],
  from: number,
  to: number,
  images: Map<string, number>
) {
  for (let j = from; j < to; j++) {
    const tags = (samples[j] as Sample).tags
    for (let i = 0; i < tags.length; i++) {
      const tag = tags[i] as string
      if (tags.indexOf(tag) === i) images.set(tag, (images.get(tag) ?? 0) + 1)
    }
  }
}

/** Labels on fewer than `rareShare` of the images. */
function rareOf(images: Map<string, number>, total: number, rareShare: number): Set<string> {
  return new Set([...images].filter(([, n]) => n < rareShare * total).map(([t]) => t))
}

/** Checks one image; null when it has nothing to say. */
function checkSample(
  s: Sample,
  rare: ReadonlySet<string>,
  settings: ProblemSettings
): SampleProblems | null {
  let bits = 0
  let boxBits: number[] | null = null
  const flag = (index: number, kind: ProblemKind) => {
    bits |= BIT[kind]
    boxBits ??= []
    boxBits[index] = (boxBits[index] ?? 0) | BIT[kind]
  }
  const w = s.size?.width ?? 0
  const h = s.size?.height ?? 0
  const sized = w > 0 && h > 0
  const minArea = sized ? settings.tinyShare * w * h : 0
  if (!sized) bits |= BIT.noSize
  if (s.tags.length === 0) bits |= BIT.untagged
  const boxes = s.boxes
  const n = boxes.length
  if (n > settings.maxBoxes) bits |= BIT.tooManyBoxes
  for (let i = 0; i < n; i++) {
    const b = boxes[i] as Box
    const bw = b.x2 - b.x1
    const bh = b.y2 - b.y1
    if (bw <= 0 || bh <= 0) flag(i, 'noArea')
    else if (bw < settings.tinyPx || bh < settings.tinyPx || bw * bh < minArea) flag(i, 'tiny')
    if (sized && (b.x1 < 0 || b.y1 < 0 || b.x2 > w || b.y2 > h)) flag(i, 'outOfBounds')
    if (rare.size > 0 && rare.has(b.tag)) flag(i, 'rareLabel')
  }
  if (n === 0 && rare.size > 0 && s.tags.some((t) => rare.has(t))) bits |= BIT.rareLabel
  for (let i = 0; i < n; i++) {
    const a = boxes[i] as Box
    const areaA = (a.x2 - a.x1) * (a.y2 - a.y1)
    if (!(areaA > 0)) continue
    for (let j = i + 1; j < n; j++) {
      const b = boxes[j] as Box
      const iw = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)
      if (iw <= 0) continue
      const ih = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1)
      if (ih <= 0) continue
      const inter = iw * ih
      const overlap = inter / (areaA + (b.x2 - b.x1) * (b.y2 - b.y1) - inter)
      const same = a.tag === b.tag
      if (overlap < (same ? settings.duplicateIoU : settings.overlapIoU)) continue
      const kind: ProblemKind = same ? 'duplicate' : 'overlap'
      flag(i, kind)
      flag(j, kind)
    }
  }
  if (bits === 0) return null
  const perBox: { index: number; kinds: ProblemKind[] }[] = []
  ;(boxBits as number[] | null)?.forEach((b, index) => perBox.push({ index, kinds: kindsOf(b) }))
  return { kinds: kindsOf(bits), boxes: perBox }
}

function emptyReport(rare: ReadonlySet<string>): ProblemReport {
  return {
    bySample: new Map(),
    counts: Object.fromEntries(PROBLEM_KINDS.map((k) => [k, 0])) as Record<ProblemKind, number>,
    rareLabels: [...rare].sort()
  }
}

function scan(
  samples: readonly Sample[],
  from: number,
  to: number,
  rare: ReadonlySet<string>,
  settings: ProblemSettings,
  report: ProblemReport
) {
  for (let i = from; i < to; i++) {
    const s = samples[i] as Sample
    const found = checkSample(s, rare, settings)
    if (!found) continue
    report.bySample.set(s.id, found)
    for (const k of found.kinds) report.counts[k] += 1
  }
}

export function findProblems(
  samples: readonly Sample[],
  settings: ProblemSettings = DEFAULT_PROBLEM_SETTINGS
): ProblemReport {
  const images = new Map<string, number>()
  countImages(samples, 0, samples.length, images)
  const rare = rareOf(images, samples.length, settings.rareShare)
  const report = emptyReport(rare)
  scan(samples, 0, samples.length, rare, settings, report)
  return report
}

/** Images checked between two yields: a few milliseconds of work. */
const SLICE = 1_000

/**
 * The same, a slice at a time, giving the thread back between slices (`pause`), so a
 * 100,000-image job is checked without a long task on the page.
 */
export async function findProblemsInSlices(
  samples: readonly Sample[],
  pause: () => Promise<void>,
  settings: ProblemSettings = DEFAULT_PROBLEM_SETTINGS
): Promise<ProblemReport> {
  const images = new Map<string, number>()
  for (let from = 0; from < samples.length; from += SLICE * 4) {
    countImages(samples, from, Math.min(samples.length, from + SLICE * 4), images)
    await pause()
  }
  const rare = rareOf(images, samples.length, settings.rareShare)
  const report = emptyReport(rare)
  for (let from = 0; from < samples.length; from += SLICE) {
    scan(samples, from, Math.min(samples.length, from + SLICE), rare, settings, report)
    await pause()
  }
  return report
}
