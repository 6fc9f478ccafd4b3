import type { ProblemInput } from './problem-input'

/**
 * The problem finder's checks: what training would silently drop or learn wrong (boxes out of
 * the image or with no area, tiny, duplicated or overlapping boxes) and what a reviewer should
 * look at first (untagged images, images with no size, rare labels, crowded images). Pure, over
 * the job in typed arrays (`problem-input.ts`), in ranges of images: the findings worker runs
 * them whole (`findings.worker.ts`), a page without workers (tests) a slice at a time, and
 * `findProblems` at once; the answer is bits per image and per box (`ProblemFlags`), read into
 * a `ProblemReport` on the page (`problem-report.ts`).
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

/** Bits of `PROBLEM_KINDS`, so a clean image costs no allocation. */
export const BIT = Object.fromEntries(PROBLEM_KINDS.map((k, i) => [k, 1 << i])) as Record<
  ProblemKind,
  number
>

/** What the checks found: bits of `PROBLEM_KINDS` per image and per box, and the rare labels. */
export interface ProblemFlags {
  /** Per image (0: nothing found). */
  sample: Uint16Array
  /** Per box, numbered as in the input. */
  box: Uint16Array
  /** Ids of the labels on fewer than `rareShare` of the images. */
  rare: Int32Array
}

/** Adds images `from..to` to each of their labels' count of images (`images`, by label id). */
export function countLabelImages(
  input: ProblemInput,
  from: number,
  to: number,
  images: Int32Array
): void {
  const { tagStart, tags } = input
  for (let i = from; i < to; i++) {
    const first = tagStart[i] as number
    const end = tagStart[i + 1] as number
    for (let t = first; t < end; t++) {
      const tag = tags[t] as number
      let again = false
      for (let u = first; u < t && !again; u++) again = tags[u] === tag
      if (!again) images[tag] = (images[tag] as number) + 1
    }
  }
}

/** Labels on images, but on fewer than `rareShare` of them. */
export function rareLabelsOf(images: Int32Array, total: number, rareShare: number): Int32Array {
  const rare: number[] = []
  images.forEach((n, id) => {
    if (n > 0 && n < rareShare * total) rare.push(id)
  })
  return Int32Array.from(rare)
}

export function emptyFlags(input: ProblemInput, rare: Int32Array): ProblemFlags {
  return {
    sample: new Uint16Array(input.count),
    box: new Uint16Array(input.boxLabel.length),
    rare
  }
}

/** Checks images `from..to` into `flags` (whose `rare` is already known). */
export function checkImages(
  input: ProblemInput,
  from: number,
  to: number,
  settings: ProblemSettings,
  flags: ProblemFlags
): void {
  const { width, height, tagStart, tags, boxStart, boxLabel, coords } = input
  const isRare = new Uint8Array(input.labels.length)
  for (const id of flags.rare) isRare[id] = 1
  const anyRare = flags.rare.length > 0
  const boxBits = flags.box
  for (let s = from; s < to; s++) {
    let bits = 0
    const w = width[s] as number
    const h = height[s] as number
    const sized = w > 0 && h > 0
    const minArea = sized ? settings.tinyShare * w * h : 0
    if (!sized) bits |= BIT.noSize
    const firstTag = tagStart[s] as number
    const endTag = tagStart[s + 1] as number
    if (firstTag === endTag) bits |= BIT.untagged
    const first = boxStart[s] as number
    const end = boxStart[s + 1] as number
    if (end - first > settings.maxBoxes) bits |= BIT.tooManyBoxes
    for (let i = first; i < end; i++) {
      const x1 = coords[i * 4] as number
      const y1 = coords[i * 4 + 1] as number
      const x2 = coords[i * 4 + 2] as number
      const y2 = coords[i * 4 + 3] as number
      const bw = x2 - x1
      const bh = y2 - y1
      let b = 0
      if (bw <= 0 || bh <= 0) b |= BIT.noArea
      else if (bw < settings.tinyPx || bh < settings.tinyPx || bw * bh < minArea) b |= BIT.tiny
      if (sized && (x1 < 0 || y1 < 0 || x2 > w || y2 > h)) b |= BIT.outOfBounds
      if (anyRare && isRare[boxLabel[i] as number] === 1) b |= BIT.rareLabel
      boxBits[i] = b
      bits |= b
    }
    if (first === end && anyRare)
      for (let t = firstTag; t < endTag; t++)
        if (isRare[tags[t] as number] === 1) bits |= BIT.rareLabel
    for (let i = first; i < end; i++) {
      const ax1 = coords[i * 4] as number
      const ay1 = coords[i * 4 + 1] as number
      const ax2 = coords[i * 4 + 2] as number
      const ay2 = coords[i * 4 + 3] as number
      const areaA = (ax2 - ax1) * (ay2 - ay1)
      if (!(areaA > 0)) continue
      for (let j = i + 1; j < end; j++) {
        const bx1 = coords[j * 4] as number
        const by1 = coords[j * 4 + 1] as number
        const bx2 = coords[j * 4 + 2] as number
        const by2 = coords[j * 4 + 3] as number
        const iw = Math.min(ax2, bx2) - Math.max(ax1, bx1)
        if (iw <= 0) continue
        const ih = Math.min(ay2, by2) - Math.max(ay1, by1)
        if (ih <= 0) continue
        const inter = iw * ih
        const overlap = inter / (areaA + (bx2 - bx1) * (by2 - by1) - inter)
        const same = boxLabel[i] === boxLabel[j]
        if (overlap < (same ? settings.duplicateIoU : settings.overlapIoU)) continue
        const kind = same ? BIT.duplicate : BIT.overlap
        boxBits[i] = (boxBits[i] as number) | kind
        boxBits[j] = (boxBits[j] as number) | kind
        bits |= kind
      }
    }
    flags.sample[s] = bits
  }
}

/** Every check over the whole input at once (what the worker runs). */
export function checkAll(
  input: ProblemInput,
  settings: ProblemSettings = DEFAULT_PROBLEM_SETTINGS
): ProblemFlags {
  const images = new Int32Array(input.labels.length)
  countLabelImages(input, 0, input.count, images)
  const flags = emptyFlags(input, rareLabelsOf(images, input.count, settings.rareShare))
  checkImages(input, 0, input.count, settings, flags)
  return flags
}
