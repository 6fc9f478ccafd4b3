import { z } from 'zod'
import { getMeta, setMeta, type Db } from './db'
import { Credentials, hashPassword } from './credentials'
import * as ids from './ids'
import {
  CLASSIFICATION,
  DEFAULT_SIZES,
  DETECTION,
  RARE_LABEL,
  demoSamples,
  plantDefects
} from './demo-recipes'
import { plantNearDuplicates } from './demo-copies'
import type { NewSample, Store } from './store'

/**
 * The demo workspace: a project with an AK/SK pair and an IAM user, a classification job and a
 * detection job of synthetic images (about 5% untagged). Made once per data folder; a restart
 * finds it again. Images are recipes, drawn on first request (render.ts).
 */
export interface DemoInfo {
  endpoint: string
  projectId: string
  ak: string
  sk: string
  user: string
  password: string
  domain: string
  datasets: { id: string; name: string; type: 0 | 1 }[]
  newVersion?: DemoRecord['newVersion']
}

/** The defects planted in the demo detection job, by image name (`demo-recipes.ts`). */
export type DemoDefects = NonNullable<DemoRecord['defects']>

const DemoImage = z.object({ id: z.string(), name: z.string() })

const DemoTask = z.object({
  id: z.string(),
  datasetId: z.string(),
  name: z.string(),
  type: z.union([z.literal(0), z.literal(1)])
})

export const DemoRecord = z.object({
  projectId: z.string(),
  ak: z.string(),
  sk: z.string(),
  user: z.string(),
  password: z.string(),
  domain: z.string(),
  datasets: z.array(
    z.object({ id: z.string(), name: z.string(), type: z.union([z.literal(0), z.literal(1)]) })
  ),
  // Today's cloud (absent from data folders made before): a new-version dataset with its two
  // labeling tasks, and a second workspace with a small dataset of its own.
  newVersion: z
    .object({
      dataset: z.object({ id: z.string(), name: z.string() }),
      tasks: z.array(DemoTask),
      workspace: z.object({ id: z.string(), name: z.string(), datasetId: z.string() })
    })
    .optional(),
  // Defects planted in the detection job for the problem finder (absent from older folders).
  defects: z
    .object({
      datasetId: z.string(),
      list: z.array(z.object({ name: z.string(), kind: z.string(), boxes: z.array(z.number()) })),
      // Near-duplicate copies: each group's original and its copies (absent from older folders).
      nearDuplicates: z
        .array(z.object({ original: DemoImage, copies: z.array(DemoImage) }))
        .optional()
    })
    .optional()
})
export type DemoRecord = z.infer<typeof DemoRecord>

export function readDemo(db: Db): DemoRecord | null {
  const text = getMeta(db, 'demo')
  return text === null ? null : DemoRecord.parse(JSON.parse(text))
}

/** The demo workspace, created on the first call and read back on every later one. */
export async function ensureDemo(
  db: Db,
  store: Store,
  options: { size?: number; taskSize?: number; now: number; region?: string }
): Promise<DemoRecord> {
  const existing = readDemo(db)
  if (existing) return existing
  const password = ids.password()
  const hashed = await hashPassword(password)
  const credentials = new Credentials(db)
  const day = 24 * 3600_000
  return db.transaction(() => {
    const domain = 'tagdeck-demo'
    // A cloud region's project is named after the region: a service that poses as one (`region`)
    // names its demo project so, and IAM's project lookup by region name finds it.
    const project = credentials.createProject(options.region ?? 'tagdeck-local', domain)
    const key = credentials.createAccessKey(project.id)
    const user = credentials.insertUser({
      name: 'demo',
      domain,
      projectId: project.id,
      password: hashed
    })
    const jobs = [
      { type: 0 as const, name: 'Shapes: classification', classes: CLASSIFICATION },
      { type: 1 as const, name: 'Shapes: detection', classes: DETECTION }
    ]
    let defects: DemoRecord['defects']
    const datasets = jobs.map((job, index) => {
      const size =
        options.size ?? (job.type === 0 ? DEFAULT_SIZES.classification : DEFAULT_SIZES.detection)
      const created = options.now - (jobs.length - index) * day
      const id = store.createDataset({
        projectId: project.id,
        name: job.name,
        description: `Synthetic ${job.type === 0 ? 'classification' : 'detection'} job: ${size} images of shapes`,
        type: job.type,
        createTime: created,
        labels: [
          ...job.classes.map(([name, , color]) => ({ name, color })),
          // The detection job's rare label (see plantDefects).
          ...(job.type === 1 ? [RARE_LABEL] : [])
        ]
      })
      // About 20 s apart on average, ending around the job's creation.
      const samples = demoSamples(job.type, size, 1000 + index, created - size * 20_000)
      const list = job.type === 1 ? plantDefects(samples) : []
      const copies = job.type === 1 ? plantNearDuplicates(samples, list) : []
      const inserted = store.insertSamples(id, samples)
      if (job.type === 1) {
        const ids = new Map(samples.map((s, i) => [s.name, inserted[i] ?? '']))
        const image = (name: string) => ({ id: ids.get(name) ?? '', name })
        const nearDuplicates = copies.map((g) => ({
          original: image(g.original),
          copies: g.copies.map(image)
        }))
        defects = { datasetId: id, list, nearDuplicates }
      }
      return { id, name: job.name, type: job.type }
    })
    const newVersion = addNewVersionDemo(
      store,
      project.id,
      options.now,
      options.taskSize ?? NEW_VERSION_HALF
    )
    const record: DemoRecord = {
      newVersion,
      projectId: project.id,
      ak: key.ak,
      sk: key.sk,
      user: user.name,
      password,
      domain,
      datasets,
      defects
    }
    setMeta(db, 'demo', JSON.stringify(record))
    return record
  })()
}

/** Images in each task of the new-version dataset, by default: boxes in one, tags in the other. */
const NEW_VERSION_HALF = 60

/**
 * Today's cloud: a dataset made by data type (version v2) whose labeling is done in two tasks,
 * one drawing boxes and one tagging, each over its own half of the images; and a second
 * workspace holding a small old-version dataset, so a client has a workspace to choose.
 */
function addNewVersionDemo(store: Store, projectId: string, now: number, half: number) {
  const day = 24 * 3600_000
  const created = now - day / 2 // the newest: made after the two old-version jobs
  const labels = [
    ...DETECTION,
    ...CLASSIFICATION.filter(([name]) => !DETECTION.some(([d]) => d === name))
  ]
  const name = 'Shapes: images (new version)'
  const datasetId = store.createDataset({
    projectId,
    name,
    description: 'An image dataset made by data type; labeled in two tasks',
    type: 1,
    createTime: created,
    labels: labels.map(([label, , color]) => ({ name: label, color })),
    version: 'v2'
  })
  const boxes = demoSamples(1, half, 3000, created - 4_000_000)
  const tags = demoSamples(0, half, 3001, created - 2_000_000)
  const renamed = (samples: NewSample[], prefix: string) =>
    samples.map((sample, i) => ({
      ...sample,
      name: `${prefix}_${String(i + 1).padStart(6, '0')}.jpg`
    }))
  const ids = store.insertSamples(datasetId, [...renamed(boxes, 'boxes'), ...renamed(tags, 'tags')])
  const tasks = [
    {
      name: 'Boxes: first pass',
      type: 1 as const,
      status: 1,
      members: ids.slice(0, half)
    },
    { name: 'Tags: first pass', type: 0 as const, status: 2, members: ids.slice(half) }
  ].map((task, index) => ({
    id: store.tasks.create(
      datasetId,
      { name: task.name, type: task.type, status: task.status, createTime: created + index },
      task.members
    ),
    datasetId,
    name: task.name,
    type: task.type
  }))

  const workspace = { name: 'Team B', id: store.createWorkspace(projectId, 'Team B') }
  const archiveId = store.createDataset({
    projectId,
    name: 'Team B: shapes',
    description: 'A small classification job in a second workspace',
    type: 0,
    createTime: created,
    labels: CLASSIFICATION.map(([label, , color]) => ({ name: label, color })),
    workspaceId: workspace.id
  })
  store.insertSamples(archiveId, demoSamples(0, 20, 3002, created - 500_000))
  return {
    dataset: { id: datasetId, name },
    tasks,
    workspace: { ...workspace, datasetId: archiveId }
  }
}
