import { afterEach, describe, expect, it } from 'vitest'
import { buildClient } from '../connections/client'
import {
  startRecordedService,
  type Answerer,
  type RecordedService
} from '../../../testing/recorded-service'

// The cloud's answers in their documented shapes, including the awkward ones the local service
// never gives, against the real client stack (signing, HTTP, parsing, operations).
const PROJECT = '0123456789abcdef0123456789abcdef'
const DATASET = 'gfghHSokody6AJigS5A'
let recorded: RecordedService | null = null

afterEach(async () => {
  await recorded?.close()
  recorded = null
})

async function opsAgainst(answer: Answerer) {
  recorded = await startRecordedService(answer)
  return buildClient(
    {
      target: { kind: 'endpoint', url: recorded.url },
      projectId: PROJECT,
      auth: { kind: 'aksk', ak: 'AKRECORDED' }
    },
    'sk-recorded',
    { sleep: async () => {} }
  ).ops
}

const SAMPLES = `/v2/${PROJECT}/datasets/${DATASET}/data-annotations/samples`

/** DescribeSample answers: the ids in `present` exist, the others are ModelArts.4420. */
function describeFrom(present: Set<string>): Answerer {
  return (asked) => {
    if (asked.method !== 'GET' || !asked.path.startsWith(`${SAMPLES}/`)) return undefined
    const id = decodeURIComponent(asked.path.slice(SAMPLES.length + 1))
    return present.has(id)
      ? { body: { sample_id: id, sample_name: `${id}.jpg`, labels: [] } }
      : { status: 400, body: { error_code: 'ModelArts.4420', error_msg: 'Sample not found' } }
  }
}

describe('DeleteSamples answers that cannot be trusted by position', () => {
  it('a plain success (the documented example: {"success": true}) deletes every id', async () => {
    const ops = await opsAgainst((asked) =>
      asked.path === `${SAMPLES}/delete` ? { body: { success: true } } : undefined
    )
    expect(await ops.deleteSamples(DATASET, ['a', 'b'])).toEqual([
      { id: 'a', status: 'deleted' },
      { id: 'b', status: 'deleted' }
    ])
    expect(recorded?.asked).toHaveLength(1)
  })

  it('fewer results than ids: every sample is read back, and only the ones still there failed', async () => {
    const still = new Set(['b'])
    const read = describeFrom(still)
    const ops = await opsAgainst((asked) =>
      asked.path === `${SAMPLES}/delete`
        ? {
            body: {
              success: false,
              results: [{ success: false, error_code: 'ModelArts.4999', error_msg: 'busy' }]
            }
          }
        : read(asked)
    )
    expect(await ops.deleteSamples(DATASET, ['a', 'b', 'c'])).toEqual([
      { id: 'a', status: 'deleted' },
      {
        id: 'b',
        status: 'failed',
        code: 'unknown',
        message: 'The service did not delete it and did not say why'
      },
      { id: 'c', status: 'deleted' }
    ])
  })

  it('a failed item is confirmed by reading it; "sample not found" is already gone', async () => {
    const read = describeFrom(new Set(['c']))
    const ops = await opsAgainst((asked) =>
      asked.path === `${SAMPLES}/delete`
        ? {
            body: {
              success: false,
              results: [
                { success: true },
                { success: false, error_code: 'ModelArts.4420', error_msg: 'Sample not found' },
                { success: false, error_code: 'ModelArts.4999', error_msg: 'locked by a task' },
                { success: false, error_code: 'ModelArts.4999', error_msg: 'locked by a task' }
              ]
            }
          }
        : read(asked)
    )
    expect(await ops.deleteSamples(DATASET, ['a', 'b', 'c', 'd'])).toEqual([
      { id: 'a', status: 'deleted' },
      { id: 'b', status: 'gone', code: 'ModelArts.4420' },
      { id: 'c', status: 'failed', code: 'ModelArts.4999', message: 'locked by a task' },
      // The item said it failed, but the sample is gone: it was deleted.
      { id: 'd', status: 'deleted' }
    ])
    const reads = recorded?.asked
      .filter((a) => a.method === 'GET')
      .map((a) => a.path.split('/').pop())
    expect(reads?.sort()).toEqual(['c', 'd'])
  })

  it('success with results that do not line up is not trusted either', async () => {
    const read = describeFrom(new Set(['a']))
    const ops = await opsAgainst((asked) =>
      asked.path === `${SAMPLES}/delete`
        ? { body: { success: true, results: [{ success: true }] } }
        : read(asked)
    )
    const outcomes = await ops.deleteSamples(DATASET, ['a', 'b'])
    expect(outcomes.map((o) => o.status)).toEqual(['failed', 'deleted'])
  })
})

describe('what the client asks for', () => {
  it('lists samples in the order it shows, with thumbnails; DescribeSample is never asked for one', async () => {
    const ops = await opsAgainst((asked) => {
      if (asked.path === SAMPLES)
        return {
          body: {
            sample_count: 1,
            samples: [
              { sample_id: 's1', sample_name: 's1.jpg', source: 'https://obs.example/s1?thumb' }
            ]
          }
        }
      if (asked.path === `${SAMPLES}/s1`)
        return { body: { sample_id: 's1', source: 'https://obs.example/s1' } }
      return undefined
    })
    const listed = await ops.listPage(DATASET, { kind: 'everything' }, 1, 100)
    expect(listed.thumbSources).toEqual([{ id: 's1', source: 'https://obs.example/s1?thumb' }])
    const list = recorded!.asked[0]
    expect(list.query.get('order')).toBe('asc')
    expect(list.query.get('process_parameter')).toBe('image/resize,m_lfit,h_200')
    expect(await ops.imageSource(DATASET, 's1')).toBe('https://obs.example/s1')
    expect(recorded!.asked[1].query.has('process_parameter')).toBe(false)
  })
})

describe('new-version datasets, workspaces and labeling tasks', () => {
  const DATASETS = `/v2/${PROJECT}/datasets`
  // Shapes as ListDatasets documents them (DatasetAndFilePreview), trimmed to what matters.
  const listing = {
    total_number: 4,
    datasets: [
      { dataset_id: 'old1', dataset_name: 'Old detection', dataset_type: 1, data_path: '/b/old1/' },
      {
        dataset_id: 'new1',
        dataset_name: 'New images, boxes',
        dataset_type: 900,
        data_sources: [{ data_path: '/b/new1/', data_type: 0 }],
        workforce_task_count: 2,
        labels: [{ name: 'car', type: 1, property: { '@modelarts:default_shape': 'bndbox' } }]
      },
      {
        dataset_id: 'new2',
        dataset_name: 'New images, tags',
        labels: [{ name: 'cat', type: 0 }]
      },
      { dataset_id: 'text1', dataset_name: 'Reviews (text)', dataset_type: 100 }
    ]
  }
  const tasks = {
    count: 1,
    tasks: [
      {
        task_id: 'iYZx7gScPUozOXner9k',
        task_name: 'Boxes, round 2',
        dataset_id: 'new1',
        status: 1,
        label_stats: [{ name: 'car', type: 1, count: 3, sample_count: 2 }],
        sample_stats: {
          total_sample_count: 10,
          unannotated_sample_count: 4,
          unreviewed_sample_count: 3,
          accepted_sample_count: 2,
          rejected_sample_count: 1
        }
      }
    ]
  }
  const TASK_SAMPLES = `${DATASETS}/new1/workforce-tasks/iYZx7gScPUozOXner9k/data-annotations/samples`
  const answerer: Answerer = (asked) => {
    if (asked.path === DATASETS) return { body: listing }
    if (asked.path === `${DATASETS}/new1`) return { body: listing.datasets[1] }
    if (asked.path === `${DATASETS}/new1/workforce-tasks`) return { body: tasks }
    if (asked.path === `/v1/${PROJECT}/workspaces`)
      return {
        body: {
          total_count: 2,
          count: 2,
          workspaces: [
            { id: 'ws2', name: 'Team B' },
            { id: 0, name: 'default' }
          ]
        }
      }
    if (asked.path === TASK_SAMPLES)
      return {
        body: { sample_count: 1, samples: [{ sample_id: 's1', sample_name: 's1.jpg', labels: [] }] }
      }
    if (asked.path === `${TASK_SAMPLES}/s1`)
      return { body: { sample_id: 's1', sample_name: 's1.jpg' } }
    if (asked.path === `${DATASETS}/new1/data-annotations/samples/delete`)
      return { body: { success: true } }
    return undefined
  }

  it('lists old- and new-version image datasets of a workspace, typed by their labels', async () => {
    const ops = await opsAgainst(answerer)
    const datasets = await ops.listDatasets('ws2')
    expect(datasets.map((d) => [d.id, d.type, d.dataPath, d.taskCount])).toEqual([
      ['old1', 'detection', '/b/old1/', undefined],
      ['new1', 'detection', '/b/new1/', 2],
      ['new2', 'classification', '', undefined]
    ])
    const query = recorded!.asked[0].query
    expect(query.get('dataset_version')).toBe('all')
    expect(query.get('workspace_id')).toBe('ws2')
    expect(query.get('with_labels')).toBe('true')
    expect(await ops.listWorkspaces()).toEqual([
      { id: '0', name: 'default' },
      { id: 'ws2', name: 'Team B' }
    ])
  })

  it("a labeling task opens like a job; deleting from it is the dataset's DeleteSamples", async () => {
    const ops = await opsAgainst(answerer)
    const [task] = await ops.listTasks('new1')
    expect(task).toEqual({
      id: 'new1~iYZx7gScPUozOXner9k',
      datasetId: 'new1',
      taskId: 'iYZx7gScPUozOXner9k',
      name: 'Boxes, round 2',
      type: 'detection',
      status: 'running',
      samples: { total: 10, unannotated: 4, unreviewed: 3, accepted: 2, rejected: 1 }
    })
    expect(await ops.getDataset(task.id)).toMatchObject({
      id: task.id,
      name: 'New images, boxes · Boxes, round 2',
      type: 'detection'
    })
    const page = await ops.listPage(task.id, { kind: 'untagged' }, 1, 50)
    expect(page.page.samples.map((s) => s.id)).toEqual(['s1'])
    expect((await ops.getImageInfoById(task.id, 's1')).name).toBe('s1.jpg')
    expect(await ops.deleteSamples(task.id, ['s1'])).toEqual([{ id: 's1', status: 'deleted' }])
    const paths = recorded!.asked.map((a) => `${a.method} ${a.path}`)
    expect(paths).toContain(`GET ${TASK_SAMPLES}`)
    expect(paths).toContain(`POST ${DATASETS}/new1/data-annotations/samples/delete`)
    const list = recorded!.asked.find((a) => a.path === TASK_SAMPLES)!
    expect(list.query.get('sample_state')).toBe('__NONE__')
  })
})
