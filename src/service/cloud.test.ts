import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import {
  KeystoneError,
  SampleList,
  startWorld,
  Stats,
  type World
} from '../../testing/service-world'

// Today's cloud, as the local service plays it: workspaces, old- and new-version datasets,
// labeling tasks with their own samples and stats, and IAM's project lookup.
let world: World
beforeAll(async () => {
  world = await startWorld({ demoSize: 40 })
})
afterAll(async () => {
  await world?.close()
})

const Datasets = z.object({
  total_number: z.number(),
  datasets: z.array(
    z.object({
      dataset_id: z.string(),
      dataset_type: z.number().optional(),
      workspace_id: z.string(),
      workforce_task_count: z.number(),
      data_sources: z.array(z.object({ data_path: z.string() })),
      labels: z.array(z.object({ name: z.string(), type: z.number() })).optional()
    })
  )
})
const Tasks = z.object({
  count: z.number(),
  tasks: z.array(
    z.object({
      task_id: z.string(),
      task_name: z.string(),
      status: z.number(),
      label_stats: z.array(
        z.object({ name: z.string(), type: z.number(), sample_count: z.number() })
      ),
      sample_stats: z.object({
        total_sample_count: z.number(),
        unannotated_sample_count: z.number()
      })
    })
  )
})

const cloud = () => {
  const demo = world.demo.newVersion
  if (!demo) throw new Error('the demo has no new-version part')
  return demo
}
const datasets = async (query: Record<string, string>) =>
  Datasets.parse((await world.call('GET', world.v2('/datasets'), { query })).json)

describe('workspaces and dataset versions', () => {
  it('lists old-version datasets by default, new ones when asked, per workspace', async () => {
    const ids = (list: z.infer<typeof Datasets>) => list.datasets.map((d) => d.dataset_id)
    const old = world.demo.datasets.map((d) => d.id)
    expect(ids(await datasets({}))).toEqual(old)
    expect(ids(await datasets({ dataset_version: 'v2' }))).toEqual([cloud().dataset.id])
    const all = await datasets({ dataset_version: 'all', with_labels: 'true' })
    expect(ids(all)).toEqual([...old, cloud().dataset.id])
    const made = all.datasets.find((d) => d.dataset_id === cloud().dataset.id)
    // Made by data type: no labeling type of its own, its labels say what it holds.
    expect(made?.dataset_type).toBeUndefined()
    expect(made?.workforce_task_count).toBe(2)
    expect(made?.labels?.some((l) => l.type === 1)).toBe(true)
    const team = await datasets({ workspace_id: cloud().workspace.id, dataset_version: 'all' })
    expect(ids(team)).toEqual([cloud().workspace.datasetId])
  })

  it('lists the workspaces, the default one (0) first', async () => {
    const answer = z
      .object({ workspaces: z.array(z.object({ id: z.string(), name: z.string() })) })
      .parse((await world.call('GET', `/v1/${world.demo.projectId}/workspaces`)).json)
    expect(answer.workspaces).toEqual([
      { id: '0', name: 'default' },
      { id: cloud().workspace.id, name: 'Team B' }
    ])
  })
})

describe('labeling tasks', () => {
  const base = () => world.v2(`/datasets/${cloud().dataset.id}/workforce-tasks`)

  it("lists a dataset's tasks with their type, status and counts", async () => {
    const { count, tasks } = Tasks.parse((await world.call('GET', base())).json)
    expect(count).toBe(2)
    expect(tasks.map((t) => [t.task_name, t.status, t.sample_stats.total_sample_count])).toEqual([
      ['Boxes: first pass', 1, 60],
      ['Tags: first pass', 2, 60]
    ])
    expect(tasks[0]?.label_stats.every((l) => l.type === 1)).toBe(true)
    expect(tasks[1]?.label_stats.every((l) => l.type === 0)).toBe(true)
  })

  it("pages a task's samples by tag and untagged, with stats that match, and no sample of another task", async () => {
    const [boxes, tags] = cloud().tasks
    const list = async (task: string, query: Record<string, string>) =>
      SampleList.parse(
        (
          await world.call('GET', `${base()}/${task}/data-annotations/samples`, {
            query: { limit: '100', order: 'asc', ...query }
          })
        ).json
      )
    const all = await list(tags?.id ?? '', {})
    const untagged = await list(tags?.id ?? '', { sample_state: '__NONE__' })
    const tagged = await list(tags?.id ?? '', { sample_state: '__ALL__' })
    expect(all.sample_count).toBe(60)
    expect(untagged.sample_count + tagged.sample_count).toBe(60)
    expect(all.samples.every((s) => s.sample_name.startsWith('tags_'))).toBe(true)
    const stats = Stats.parse(
      (await world.call('GET', `${base()}/${tags?.id}/data-annotations/stats`)).json
    )
    expect(stats.sample_stats.un_annotation).toBe(untagged.sample_count)
    const label = stats.label_stats.find((l) => l.sample_count > 0)
    const byLabel = await list(tags?.id ?? '', { label_name: label?.name ?? '' })
    expect(byLabel.sample_count).toBe(label?.sample_count)

    // A sample of the other task is not one of this task's.
    const other = (await list(boxes?.id ?? '', {})).samples[0]?.sample_id ?? ''
    const describe = await world.call(
      'GET',
      `${base()}/${tags?.id}/data-annotations/samples/${other}`
    )
    expect(describe.status).toBe(400)
    const unknown = await world.call('GET', `${base()}/NoSuchTask/data-annotations/samples`)
    expect(unknown.json).toMatchObject({ error_code: 'ModelArts.4619' })

    // Deleting is the dataset's: the sample leaves the task and its counts.
    const victim = all.samples[0]?.sample_id ?? ''
    const deleted = await world.call(
      'POST',
      world.v2(`/datasets/${cloud().dataset.id}/data-annotations/samples/delete`),
      { body: { samples: [victim] } }
    )
    expect(deleted.json).toEqual({ success: true })
    const after = await list(tags?.id ?? '', {})
    expect(after.sample_count).toBe(59)
    expect(after.samples.map((s) => s.sample_id)).not.toContain(victim)
  })
})

describe("IAM for today's cloud", () => {
  const signIn = (scope: unknown, password = world.demo.password) =>
    fetch(new URL('/v3/auth/tokens?nocatalog=true', world.service.url), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: { name: world.demo.user, password, domain: { name: world.demo.domain } }
            }
          },
          scope
        }
      })
    })

  it('lists projects by name to an AK/SK, and to a token scoped to the domain', async () => {
    const Projects = z.object({ projects: z.array(z.object({ id: z.string(), name: z.string() })) })
    const signed = await world.call('GET', '/v3/projects', {
      auth: 'aksk',
      query: { name: 'tagdeck-local' }
    })
    expect(Projects.parse(signed.json).projects).toEqual([
      { id: world.demo.projectId, name: 'tagdeck-local' }
    ])
    const none = await world.call('GET', '/v3/projects', {
      auth: 'aksk',
      query: { name: 'cn-north-4' }
    })
    expect(Projects.parse(none.json).projects).toEqual([])

    const domainScoped = await signIn({ domain: { name: world.demo.domain } })
    expect(domainScoped.status).toBe(201)
    const token = domainScoped.headers.get('x-subject-token') ?? ''
    const listed = await world.call('GET', '/v3/projects', {
      auth: 'none',
      headers: { 'X-Auth-Token': token }
    })
    expect(Projects.parse(listed.json).projects.map((p) => p.id)).toEqual([world.demo.projectId])
    // A domain token lists projects; it does not call them.
    const datasetsWithIt = await world.call('GET', world.v2('/datasets'), {
      auth: 'none',
      headers: { 'X-Auth-Token': token }
    })
    expect(datasetsWithIt.status).toBe(403)
  })

  it('answers errors Keystone-style', async () => {
    const wrong = await signIn({ project: { id: world.demo.projectId } }, 'not the password')
    expect(wrong.status).toBe(401)
    expect(KeystoneError.parse(await wrong.json()).error).toMatchObject({
      code: 401,
      title: 'Unauthorized'
    })
    const unsigned = await world.call('GET', '/v3/projects', { auth: 'none' })
    expect(KeystoneError.parse(unsigned.json).error.code).toBe(401)
  })
})
