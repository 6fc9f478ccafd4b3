import { z } from 'zod'

/** Rows as they come out of SQLite, parsed once at the boundary. */

/**
 * A label written through UpdateSamples that is neither a plain tag nor a plain box (a polygon,
 * a box with properties of its own, a label of another type or with fields of its own): kept
 * whole, every field and property as sent, and answered as it was written.
 */
export const WholeLabel = z.looseObject({
  name: z.string(),
  type: z.number().int(),
  property: z.record(z.string(), z.unknown())
})
export type WholeLabel = z.infer<typeof WholeLabel>

/**
 * Classification: a tag name. Detection: `[tag, x1, y1, x2, y2]` in pixels, origin top-left.
 * Anything else: the whole label (`WholeLabel`).
 */
export const StoredLabel = z.union([
  z.string(),
  z.tuple([z.string(), z.number(), z.number(), z.number(), z.number()]),
  WholeLabel
])
export type StoredLabel = z.infer<typeof StoredLabel>
export type StoredBox = Extract<StoredLabel, unknown[]>
export const StoredLabels = z.array(StoredLabel)

export const labelName = (label: StoredLabel): string =>
  typeof label === 'string' ? label : Array.isArray(label) ? label[0] : label.name

const Bndbox = z.object({
  '@modelarts:shape': z.literal('bndbox'),
  '@modelarts:feature': z.tuple([
    z.tuple([z.number(), z.number()]),
    z.tuple([z.number(), z.number()])
  ])
})

/** A label's box `[x1, y1, x2, y2]`, or null when it is not a box (a tag, a polygon...). */
export function boxOf(label: StoredLabel): [number, number, number, number] | null {
  if (typeof label === 'string') return null
  if (Array.isArray(label)) return [label[1], label[2], label[3], label[4]]
  const box = Bndbox.safeParse(label.property)
  if (!box.success) return null
  const [[x1, y1], [x2, y2]] = box.data['@modelarts:feature']
  return [x1, y1, x2, y2]
}

const Json = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown
    // eslint-disable-next-line no-restricted-syntax -- the issue below fails the parse, which says it
  } catch {
    ctx.addIssue({ code: 'custom', message: 'not JSON' })
    return z.NEVER
  }
})

export const DatasetRow = z.object({
  id: z.string(),
  projectId: z.string(),
  name: z.string(),
  description: z.string(),
  type: z.union([z.literal(0), z.literal(1)]),
  createTime: z.number(),
  sampleCount: z.number(),
  taggedCount: z.number(),
  deletedCount: z.number(),
  workspaceId: z.string(),
  version: z.enum(['v1', 'v2']),
  taskCount: z.number()
})
export type DatasetRow = z.infer<typeof DatasetRow>

export const TaskRow = z.object({
  id: z.string(),
  datasetId: z.string(),
  name: z.string(),
  type: z.union([z.literal(0), z.literal(1)]),
  status: z.number(),
  createTime: z.number()
})
export type TaskRow = z.infer<typeof TaskRow>

export const LabelRow = z.object({
  name: z.string(),
  color: z.string(),
  count: z.number(),
  sampleCount: z.number()
})
export type LabelRow = z.infer<typeof LabelRow>

export const SampleRow = z.object({
  id: z.string(),
  datasetId: z.string(),
  name: z.string(),
  time: z.number(),
  tagged: z.number().transform((v) => v === 1),
  width: z.number(),
  height: z.number(),
  size: z.number().nullable(),
  format: z.enum(['jpg', 'png', 'webp']),
  labels: Json.pipe(StoredLabels)
})
export type SampleRow = z.infer<typeof SampleRow>

export const RecipeRow = z.object({ recipe: z.string().nullable() })

export const KeyRow = z.tuple([z.number(), z.string()])
