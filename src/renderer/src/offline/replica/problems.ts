import type { Box, Sample } from '../../../../shared/domain'

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

const area = (b: Box) => Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1)

export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1)
  if (w <= 0 || h <= 0) return 0
  const inter = w * h
  return inter / (area(a) + area(b) - inter)
}

export function findProblems(
  samples: readonly Sample[],
  settings: ProblemSettings = DEFAULT_PROBLEM_SETTINGS
): ProblemReport {
  const imagesPerLabel = new Map<string, number>()
  for (const s of samples)
    for (const tag of new Set(s.tags)) imagesPerLabel.set(tag, (imagesPerLabel.get(tag) ?? 0) + 1)
  const rare = new Set(
    [...imagesPerLabel]
      .filter(([, n]) => n < settings.rareShare * samples.length)
      .map(([tag]) => tag)
  )
  const counts = Object.fromEntries(PROBLEM_KINDS.map((k) => [k, 0])) as Record<ProblemKind, number>
  const bySample = new Map<string, SampleProblems>()

  for (const s of samples) {
    const kinds = new Set<ProblemKind>()
    const boxKinds = new Map<number, Set<ProblemKind>>()
    const flag = (index: number, kind: ProblemKind) => {
      kinds.add(kind)
      const set = boxKinds.get(index) ?? new Set<ProblemKind>()
      set.add(kind)
      boxKinds.set(index, set)
    }
    const w = s.size?.width ?? 0
    const h = s.size?.height ?? 0
    const sized = w > 0 && h > 0
    if (!sized) kinds.add('noSize')
    if (s.tags.length === 0) kinds.add('untagged')
    if (s.boxes.length > settings.maxBoxes) kinds.add('tooManyBoxes')
    s.boxes.forEach((b, i) => {
      const bw = b.x2 - b.x1
      const bh = b.y2 - b.y1
      if (bw <= 0 || bh <= 0) flag(i, 'noArea')
      else if (bw < settings.tinyPx || bh < settings.tinyPx) flag(i, 'tiny')
      else if (sized && area(b) < settings.tinyShare * w * h) flag(i, 'tiny')
      if (sized && (b.x1 < 0 || b.y1 < 0 || b.x2 > w || b.y2 > h)) flag(i, 'outOfBounds')
      if (rare.has(b.tag)) flag(i, 'rareLabel')
    })
    if (s.boxes.length === 0 && s.tags.some((t) => rare.has(t))) kinds.add('rareLabel')
    for (let i = 0; i < s.boxes.length; i++) {
      const a = s.boxes[i] as Box
      if (area(a) === 0) continue
      for (let j = i + 1; j < s.boxes.length; j++) {
        const b = s.boxes[j] as Box
        const same = a.tag === b.tag
        const limit = same ? settings.duplicateIoU : settings.overlapIoU
        if (iou(a, b) < limit) continue
        const kind: ProblemKind = same ? 'duplicate' : 'overlap'
        flag(i, kind)
        flag(j, kind)
      }
    }
    if (kinds.size === 0) continue
    for (const k of kinds) counts[k] += 1
    bySample.set(s.id, {
      kinds: PROBLEM_KINDS.filter((k) => kinds.has(k)),
      boxes: [...boxKinds]
        .sort((x, y) => x[0] - y[0])
        .map(([index, set]) => ({ index, kinds: PROBLEM_KINDS.filter((k) => set.has(k)) }))
    })
  }
  return { bySample, counts, rareLabels: [...rare].sort() }
}
