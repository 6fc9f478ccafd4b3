import { z } from 'zod'
import { badJson, badParam } from './errors'
import { ID_PATTERN } from './ids'
import { parseProcess } from './image-urls'

/** Every path parameter, query and body a route reads, parsed before anything is touched. */

const Id = z.string().regex(ID_PATTERN, 'must be 1..128 letters, digits, "_" or "-"')
export const MAX_IDS = 1000

function intParam(min: number, max: number, fallback: number) {
  return z
    .string()
    .regex(/^\d{1,9}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().min(min).max(max))
    .default(fallback)
}

const Process = z
  .string()
  .max(200)
  .transform((value, ctx) => {
    try {
      return parseProcess(value)
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: error instanceof Error ? error.message : 'invalid' })
      return z.NEVER
    }
  })
  .optional()

const IdList = (field: string) =>
  z
    .array(Id)
    .min(1, `${field} must name at least one id`)
    .max(MAX_IDS, `${field}: at most ${MAX_IDS} ids per call`)

export const ProjectParams = z.object({ project_id: z.string() })
export const DatasetParams = ProjectParams.extend({ dataset_id: Id })
export const SampleParams = DatasetParams.extend({ sample_id: Id })

export const ListDatasetsQuery = z.object({
  offset: intParam(0, 1_000_000, 0),
  limit: intParam(1, 100, 10),
  // The documented default is the old version; new-version datasets must be asked for.
  dataset_version: z.enum(['v1', 'v2', 'all']).default('v1'),
  workspace_id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1..64 letters, digits, "_" or "-"')
    .default('0'),
  with_labels: z.enum(['true', 'false']).default('false')
})

export const TaskParams = z.object({ project_id: z.string(), dataset_id: Id, task_id: Id })
export const TaskSampleParams = TaskParams.extend({ sample_id: Id })
export const ListTasksQuery = z.object({
  offset: intParam(0, 1_000_000, 0),
  limit: intParam(1, 1000, 1000)
})

export const ListSamplesQuery = z.object({
  offset: intParam(0, 1_000_000, 0),
  limit: intParam(1, 100, 10),
  label_name: z.string().min(1).max(256).optional(),
  sample_state: z
    .enum(['__ALL__', '__NONE__', '__UNREVIEWED__', '__REVIEWED__', '__ACCEPTED__', '__REJECTED__'])
    .optional(),
  // The cloud lists newest first unless asked otherwise; Tagdeck always says which it shows.
  order: z.enum(['asc', 'desc']).default('desc'),
  process_parameter: Process
})

export type ListSamplesQuery = z.infer<typeof ListSamplesQuery>

export const DescribeSampleQuery = z.object({ process_parameter: Process })

export const DeleteSamplesBody = z.object({
  samples: IdList('samples'),
  delete_source: z.boolean().default(false)
})

/** A label as UpdateSamples sends it; fields and properties beyond these are kept as sent. */
const WireLabel = z.looseObject({
  name: z.string().min(1).max(256),
  type: z.number().int().optional(),
  property: z.record(z.string(), z.unknown()).optional()
})
export type WireLabel = z.infer<typeof WireLabel>

/** UpdateSamples (and the same inside a task): each sample's whole label list, replaced. */
export const UpdateSamplesBody = z.object({
  email: z.string().max(256).optional(),
  samples: z
    .array(
      z.looseObject({
        sample_id: Id,
        sample_type: z.number().int().optional(),
        labels: z.array(WireLabel).max(MAX_IDS).optional(),
        metadata: z
          .looseObject({
            '@modelarts:size': z.array(z.number().int().min(0)).min(2).max(3).optional()
          })
          .optional()
      })
    )
    .min(1, 'samples must name at least one sample')
    .max(MAX_IDS, `samples: at most ${MAX_IDS} per call`)
})

/** ReviewSamples and AcceptSamples: one verdict per sample. */
export const CommentsBody = z.object({
  comments: z
    .array(
      z.object({
        sample_id: Id,
        worker_id: z.string().max(128).optional(),
        accept: z.boolean(),
        comment: z
          .string()
          .max(256)
          .regex(/^[^!<>=&"']*$/, `must not contain any of !<>=&"'`)
          .optional(),
        score: z.enum(['A', 'B', 'C', 'D']).optional()
      })
    )
    .min(1, 'comments must hold at least one verdict')
    .max(MAX_IDS, `comments: at most ${MAX_IDS} per call`)
})

export const V1JobParams = ProjectParams.extend({ data_annotation_id: Id })
export const V1ImageParams = V1JobParams.extend({ image_id: Id })
export const V1ListQuery = z.object({
  tag_name: z.string().min(1).max(256).optional(),
  per_page: intParam(1, 100, 10),
  page: intParam(1, 1_000_000, 1)
})
export const V1IdsBody = z.object({ image_id: IdList('image_id') })

export const ImageQuery = z.object({
  'x-image-process': Process,
  expires: z
    .string()
    .regex(/^\d{1,12}$/, 'must be a whole number')
    .transform(Number),
  signature: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 hex digits')
})

const Name = z.string().min(1).max(256)
export const TokenBody = z.object({
  auth: z.object({
    identity: z.object({
      methods: z
        .array(z.string())
        .refine((m) => m.includes('password'), 'methods must include password'),
      password: z.object({
        user: z.object({
          name: Name,
          password: z.string().min(1).max(1024),
          domain: z.object({ name: Name })
        })
      })
    }),
    // A project (to call its APIs), or the user's domain (to list its projects).
    scope: z
      .union([
        z.object({
          project: z
            .object({ id: z.string().max(64).optional(), name: Name.optional() })
            .refine(
              (p) => p.id !== undefined || p.name !== undefined,
              'give the project id or name'
            )
        }),
        z.object({ domain: z.object({ name: Name }) })
      ])
      .optional()
  })
})

function describe(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) =>
      issue.path.length ? `${issue.path.join('.')}: ${issue.message}` : issue.message
    )
    .join('; ')
}

/** The parsed value, or a 400 `ModelArts.0104` that says which field was wrong. */
export function parse<S extends z.ZodType>(schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value ?? {})
  if (!result.success) throw badParam(`Invalid parameter: ${describe(result.error)}`)
  return result.data
}

/** A JSON body from raw bytes (kept raw for the signature), or a 400 `ModelArts.4105`. */
export function jsonBody(body: unknown): unknown {
  if (!Buffer.isBuffer(body) || body.length === 0) throw badJson('The request body must be JSON')
  try {
    return JSON.parse(body.toString('utf8'))
  } catch {
    throw badJson('The request body is not valid JSON')
  }
}

/** KeystoneListProjects' filters (the ones the vendor SDK sends). */
export const ListProjectsQuery = z.object({ name: Name.optional() })
