import type { Sample } from '../src/shared/domain'
import { labelSetOf, type LabelSet, type Verdict } from '../src/shared/labels'

/**
 * The review changes the sync bench makes, the same for the app and for the direct calls: a
 * label edit moves an image's first box 3 px right (or draws one on an image with none), a
 * verdict accepts with grade B.
 */

export interface LabelChangeOf {
  mine: LabelSet
  origins: (number | null)[]
}

export function labelChange(sample: Sample): LabelChangeOf {
  const { tags, boxes } = labelSetOf(sample)
  const first = boxes[0]
  if (!first) {
    const box = { tag: sample.tags[0] ?? 'circle', x1: 10, y1: 10, x2: 60, y2: 60 }
    return { mine: { tags, boxes: [box] }, origins: [null] }
  }
  const moved = { ...first, x1: first.x1 + 3, x2: first.x2 + 3 }
  return { mine: { tags, boxes: [moved, ...boxes.slice(1)] }, origins: boxes.map((_, i) => i) }
}

export const verdictOf = (sample: Pick<Sample, 'id'>): Verdict => ({
  sampleId: sample.id,
  accept: true,
  comment: '',
  score: 'B'
})

/** A round's changes: label edits, verdicts and deletions, each of its own images. */
export const MIX = { labels: 400, verdicts: 400, deletions: 200 } as const
export const MIX_SIZE = MIX.labels + MIX.verdicts + MIX.deletions

/** Splits `samples` (MIX_SIZE of them) into the round's three kinds. */
export function splitMix<S>(samples: readonly S[]) {
  const a = MIX.labels
  const b = a + MIX.verdicts
  return { labels: samples.slice(0, a), verdicts: samples.slice(a, b), deletions: samples.slice(b) }
}
