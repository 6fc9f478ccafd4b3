import { z } from 'zod'

/** Types the renderer sees: normalized from the wire (api.md), never raw service JSON. */

// Ids that name things in IPC calls and image URLs: short, printable, no path tricks. `~` joins
// a dataset and one of its labeling tasks into a job id (job-id.ts).
export const Id = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9_~-]+$/, 'only letters, digits, "_", "-" and "~"')

export const DatasetType = z.enum(['classification', 'detection'])
export type DatasetType = z.infer<typeof DatasetType>

/** Which images a grid shows. `tagged` = the SDK's "no tag"; `untagged` = `__none__`. */
export const TagFilter = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('everything') }),
  z.object({ kind: z.literal('tagged') }),
  z.object({ kind: z.literal('untagged') }),
  z.object({ kind: z.literal('tag'), tag: z.string().min(1).max(256) })
])
export type TagFilter = z.infer<typeof TagFilter>

/** A detection box in image pixels, origin top-left. */
export const Box = z.object({
  tag: z.string(),
  x1: z.number(),
  y1: z.number(),
  x2: z.number(),
  y2: z.number()
})
export type Box = z.infer<typeof Box>

export const ImageSize = z.object({
  width: z.number().int().nonnegative(),
  height: z.number().int().nonnegative(),
  depth: z.number().int().nonnegative()
})
export type ImageSize = z.infer<typeof ImageSize>

export const Sample = z.object({
  id: Id,
  name: z.string(),
  /** Every tag on the image (for detection: the distinct box tags). */
  tags: z.array(z.string()),
  boxes: z.array(Box),
  size: ImageSize.nullable(),
  annotated: z.boolean(),
  time: z.number(),
  bytes: z.number().nullable(),
  /**
   * A labeling task's verdict on the image (absent: not a task's sample, or none yet): the
   * owner's acceptance when given, else the reviewer's.
   */
  verdict: z
    .object({
      stage: z.enum(['review', 'acceptance']),
      accept: z.boolean(),
      comment: z.string(),
      score: z.enum(['A', 'B', 'C', 'D']).nullable()
    })
    .optional()
})
export type Sample = z.infer<typeof Sample>
export type SampleVerdict = NonNullable<Sample['verdict']>

export const SamplePage = z.object({
  total: z.number().int().nonnegative(),
  page: z.number().int().min(1),
  perPage: z.number().int().min(1).max(100),
  samples: z.array(Sample)
})
export type SamplePage = z.infer<typeof SamplePage>

/** A labeling task's state: `running` takes reviewers' verdicts, `accepting` the owner's. */
export const TaskStatus = z.enum([
  'created',
  'starting',
  'running',
  'accepting',
  'accepted',
  'syncing',
  'sampling',
  'unknown'
])
export type TaskStatus = z.infer<typeof TaskStatus>

export const Dataset = z.object({
  id: Id,
  name: z.string(),
  description: z.string(),
  type: DatasetType,
  createdAt: z.number(),
  dataPath: z.string(),
  /** Labeling tasks on the dataset, as the service counts them (absent: not known). */
  taskCount: z.number().int().nonnegative().optional(),
  /** A labeling task opened as a job: its state (which verdicts it takes). */
  taskStatus: TaskStatus.optional()
})
export type Dataset = z.infer<typeof Dataset>

/** A labeling (workforce) task on a dataset: opened like a job, under the id `<dataset>~<task>`. */
export const LabelingTask = z.object({
  /** The job id: `<dataset>~<task>` (job-id.ts). */
  id: Id,
  datasetId: Id,
  taskId: Id,
  name: z.string(),
  type: DatasetType,
  status: TaskStatus,
  samples: z.object({
    total: z.number().int().nonnegative(),
    unannotated: z.number().int().nonnegative(),
    unreviewed: z.number().int().nonnegative(),
    accepted: z.number().int().nonnegative(),
    rejected: z.number().int().nonnegative()
  })
})
export type LabelingTask = z.infer<typeof LabelingTask>

/** A ModelArts workspace; `0` is the default one every account has. */
export const Workspace = z.object({ id: z.string().min(1).max(64), name: z.string() })
export type Workspace = z.infer<typeof Workspace>

export const Label = z.object({
  name: z.string(),
  type: DatasetType,
  /** `#rrggbb` from `@modelarts:color`, or null where the service gave none. */
  color: z.string().nullable()
})
export type Label = z.infer<typeof Label>

export const JobStats = z.object({
  labels: z.array(z.object({ name: z.string(), count: z.number(), sampleCount: z.number() })),
  all: z.number(),
  tagged: z.number(),
  untagged: z.number(),
  deleted: z.number()
})
export type JobStats = z.infer<typeof JobStats>

/** Per-id outcome of a delete: `gone` = the service no longer had it (counts as done). */
export const DeleteOutcome = z.object({
  id: z.string(),
  status: z.enum(['deleted', 'gone', 'failed']),
  code: z.string().optional(),
  message: z.string().optional()
})
export type DeleteOutcome = z.infer<typeof DeleteOutcome>

export const ImageVariant = z.enum(['thumb', 'full'])
export type ImageVariant = z.infer<typeof ImageVariant>

// ---- connections -------------------------------------------------------------------------

export const ConnectionTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('region'), region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/) }),
  z.object({ kind: z.literal('endpoint'), url: z.url({ protocol: /^https?$/ }).max(2048) })
])
export type ConnectionTarget = z.infer<typeof ConnectionTarget>

export const ConnectionAuth = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('aksk'), ak: z.string().min(1).max(128) }),
  z.object({
    kind: z.literal('password'),
    user: z.string().min(1).max(128),
    domain: z.string().min(1).max(128),
    /** IAM endpoint for a custom target; region targets derive it. */
    iamUrl: z
      .url({ protocol: /^https?$/ })
      .max(2048)
      .optional()
  })
])
export type ConnectionAuth = z.infer<typeof ConnectionAuth>

export const ProjectId = z.string().regex(/^[0-9a-f]{32}$/, 'a 32-hex project id')

/** What a renderer may know of a connection: never the secret itself. */
export const ConnectionProfile = z.object({
  id: Id,
  name: z.string().min(1).max(128),
  target: ConnectionTarget,
  projectId: ProjectId,
  auth: ConnectionAuth,
  hasSecret: z.boolean(),
  /** `encrypted`: OS-encrypted on disk; `session`: kept in memory until quit; `none`: no secret. */
  secretKeeping: z.enum(['encrypted', 'session', 'none'])
})
export type ConnectionProfile = z.infer<typeof ConnectionProfile>

export const ConnectionInput = z.object({
  id: Id.optional(),
  name: z.string().min(1).max(128),
  target: ConnectionTarget,
  projectId: ProjectId,
  auth: ConnectionAuth,
  /** SK or password. Write-only: no channel returns it. Omit to keep the stored one. */
  secret: z.string().min(1).max(1024).optional(),
  /** Where the OS has no encryption: keep for this session (true) or refuse (false/absent). */
  allowSessionOnlySecret: z.boolean().optional()
})
export type ConnectionInput = z.infer<typeof ConnectionInput>

export const ConnectionVerdict = z.object({
  reachable: z.boolean(),
  authOk: z.boolean().nullable(),
  projectOk: z.boolean().nullable(),
  /** Local clock minus service clock, ms, when the service sent a Date header. */
  clockSkewMs: z.number().nullable(),
  datasets: z.number().nullable(),
  message: z.string()
})
export type ConnectionVerdict = z.infer<typeof ConnectionVerdict>

export const Connectivity = z.object({
  connectionId: Id,
  state: z.enum(['online', 'offline', 'unknown']),
  since: z.number(),
  lastError: z.string().nullable()
})
export type Connectivity = z.infer<typeof Connectivity>
