import { z } from 'zod'
import { Box, type Sample } from './domain'

/**
 * What a reviewer edits of an image's labels: its image-level tags (labels with no shape) and
 * its boxes. Labels of other shapes (polygons, points...) are not in it: Tagdeck never edits
 * them, and main keeps them as the service holds them (see label-merge.ts).
 */
export const LabelSet = z.object({
  tags: z.array(z.string().min(1).max(256)).max(1000),
  boxes: z.array(Box).max(10_000)
})
export type LabelSet = z.infer<typeof LabelSet>

/**
 * A reviewer's change of one image's labels: the labels as they saw them (`base`), as they
 * want them (`mine`), and for each of mine's boxes the index of the base box it was made from
 * (null: drawn new). Main merges it with what the service holds now (label-merge.ts).
 */
export const LabelEdit = z
  .object({
    sampleId: z.string().min(1).max(128),
    base: LabelSet,
    mine: LabelSet,
    origins: z.array(z.number().int().nonnegative().nullable()),
    /** The reviewer removed every label on purpose: only then may an empty list be sent. */
    cleared: z.boolean()
  })
  .refine((e) => e.origins.length === e.mine.boxes.length, {
    message: 'origins must name one base box (or null) for each of mine boxes',
    path: ['origins']
  })
  .refine((e) => e.origins.every((o) => o === null || o < e.base.boxes.length), {
    message: 'an origin must be the index of a base box',
    path: ['origins']
  })
  .refine((e) => !e.cleared || (e.mine.tags.length === 0 && e.mine.boxes.length === 0), {
    message: 'a cleared image has no labels',
    path: ['cleared']
  })
export type LabelEdit = z.infer<typeof LabelEdit>

/** An image's labels as a reviewer edits them (tags a box explains are not image tags). */
export function labelSetOf(sample: Pick<Sample, 'tags' | 'boxes'>): LabelSet {
  const boxTags = new Set(sample.boxes.map((b) => b.tag))
  return { tags: sample.tags.filter((t) => !boxTags.has(t)), boxes: sample.boxes }
}

/** The sample with these labels (tags: image tags, then box tags, each once). */
export function withLabels<S extends Pick<Sample, 'tags' | 'boxes' | 'annotated'>>(
  sample: S,
  labels: LabelSet
): S {
  const tags = [...new Set([...labels.tags, ...labels.boxes.map((b) => b.tag)])]
  return { ...sample, tags, boxes: labels.boxes, annotated: tags.length > 0 }
}

export const sameBox = (a: Box, b: Box): boolean =>
  a.tag === b.tag && a.x1 === b.x1 && a.y1 === b.y1 && a.x2 === b.x2 && a.y2 === b.y2

/** Same tags (as sets) and the same boxes (as multisets). */
export function sameLabels(a: LabelSet, b: LabelSet): boolean {
  if (a.boxes.length !== b.boxes.length) return false
  const tagsA = new Set(a.tags)
  const tagsB = new Set(b.tags)
  if (tagsA.size !== tagsB.size || [...tagsA].some((t) => !tagsB.has(t))) return false
  const left = [...b.boxes]
  for (const box of a.boxes) {
    const i = left.findIndex((other) => sameBox(box, other))
    if (i < 0) return false
    left.splice(i, 1)
  }
  return true
}

export const isEmptyLabelSet = (l: LabelSet): boolean => l.tags.length === 0 && l.boxes.length === 0

/** Intersection over union of two boxes (0 when either has no area). */
export function iou(a: Box, b: Box): number {
  const w = Math.min(a.x2, b.x2) - Math.max(a.x1, b.x1)
  const h = Math.min(a.y2, b.y2) - Math.max(a.y1, b.y1)
  if (w <= 0 || h <= 0) return 0
  const inter = w * h
  const union = (a.x2 - a.x1) * (a.y2 - a.y1) + (b.x2 - b.x1) * (b.y2 - b.y1) - inter
  return union > 0 ? inter / union : 0
}

/** A box both sides changed, each its own way (label-merge.ts). */
export const BoxConflict = z.object({ base: Box, theirs: Box, mine: Box })
export type BoxConflict = z.infer<typeof BoxConflict>

/**
 * What became of one label edit: `updated` (sent as made), `merged` (sent beside a colleague's
 * changes), `unchanged` (the service held it already), `conflict` (not sent: the reviewer
 * chooses), `gone` (no such image any more) or `failed` (the service refused it). `result`: the
 * labels the service holds now.
 */
export const LabelEditOutcome = z.object({
  sampleId: z.string(),
  status: z.enum(['updated', 'merged', 'unchanged', 'conflict', 'gone', 'failed']),
  result: LabelSet.optional(),
  conflict: z
    .object({
      reason: z.enum(['boxes', 'empty']),
      theirs: LabelSet,
      boxes: z.array(BoxConflict)
    })
    .optional(),
  code: z.string().optional(),
  message: z.string().optional()
})
export type LabelEditOutcome = z.infer<typeof LabelEditOutcome>

/** ReviewSamples (a reviewer's) or AcceptSamples (the task owner's acceptance). */
export const VerdictStage = z.enum(['review', 'acceptance'])
export type VerdictStage = z.infer<typeof VerdictStage>

export const Grade = z.enum(['A', 'B', 'C', 'D'])
export type Grade = z.infer<typeof Grade>

/** The service takes comments of up to 256 characters, none of `!<>=&"'`. */
export const VerdictComment = z
  .string()
  .max(256)
  .regex(/^[^!<>=&"']*$/, 'a comment may not hold any of ! < > = & " \'')

export const Verdict = z.object({
  sampleId: z.string().min(1).max(128),
  accept: z.boolean(),
  comment: VerdictComment,
  score: Grade
})
export type Verdict = z.infer<typeof Verdict>

/**
 * What became of one verdict: `done`, `parked` (the task is not in the state that takes it:
 * kept with the reason, not retried), `gone` (the image is not the task's any more) or
 * `failed`.
 */
export const VerdictOutcome = z.object({
  sampleId: z.string(),
  status: z.enum(['done', 'parked', 'gone', 'failed']),
  code: z.string().optional(),
  message: z.string().optional()
})
export type VerdictOutcome = z.infer<typeof VerdictOutcome>
