import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify'
import { datasetOf, sourceBase, type ServiceContext } from './context'
import { ApiError, badParam, CODES, sampleNotFound } from './errors'
import type { Variant } from './image-urls'
import {
  DatasetParams,
  DescribeSampleQuery,
  ListSamplesQuery,
  type ListSamplesQuery as ListSamplesQueryType,
  parse,
  SampleParams,
  TaskParams,
  TaskSampleParams
} from './params'
import type { DatasetRow, TaskRow } from './rows'
import type { SampleFilter } from './store'
import { datasetCounts, wireStats } from './wire'
import { listSamplesJson, sampleJson, sendJson } from './wire-json'

/**
 * ListSamples, DescribeSample and the stats of a dataset, and the same three inside one of its
 * labeling tasks (ListWorkforceTaskSamples, DescribeWorkforceTaskSample, the task's stats): the
 * same query names and answer shapes, over the dataset's samples or the task's.
 */
interface Scope {
  dataset: DatasetRow
  task: TaskRow | null
}

const DATASET = '/v2/:project_id/datasets/:dataset_id'
const TASK = `${DATASET}/workforce-tasks/:task_id`

export const taskNotFound = (id: string) =>
  new ApiError(400, CODES.taskNotFound, `Workforce task ${id} does not exist`)

const REVIEW_STATES = {
  __UNREVIEWED__: 'unreviewed',
  __REVIEWED__: 'reviewed',
  __ACCEPTED__: 'accepted',
  __REJECTED__: 'rejected'
} as const

function filterOf(
  query: { label_name?: string; sample_state?: ListSamplesQueryType['sample_state'] },
  inTask: boolean
): SampleFilter | null {
  const state = query.sample_state
  if (state !== undefined && state !== '__ALL__' && state !== '__NONE__') {
    if (!inTask) throw badParam(`sample_state ${state} filters a labeling task's samples only`)
    if (query.label_name !== undefined)
      throw badParam('sample_state with a review state cannot be combined with label_name')
    return { kind: 'review', state: REVIEW_STATES[state] }
  }
  if (query.label_name !== undefined)
    // A label on an unlabelled sample cannot be: the answer is empty.
    return query.sample_state === '__NONE__' ? null : { kind: 'label', label: query.label_name }
  if (query.sample_state === '__ALL__') return { kind: 'tagged' }
  if (query.sample_state === '__NONE__') return { kind: 'untagged' }
  return { kind: 'all' }
}

export function registerSampleRoutes(
  app: FastifyInstance,
  ctx: ServiceContext,
  preHandler: preHandlerHookHandler
): void {
  const { store } = ctx

  const datasetScope = (request: FastifyRequest): Scope => {
    const params = parse(DatasetParams, request.params)
    return { dataset: datasetOf(ctx, params.project_id, params.dataset_id), task: null }
  }
  const taskScope = (request: FastifyRequest): Scope => {
    const params = parse(TaskParams, request.params)
    const dataset = datasetOf(ctx, params.project_id, params.dataset_id)
    const task = store.tasks.get(dataset.id, params.task_id)
    if (!task) throw taskNotFound(params.task_id)
    return { dataset, task }
  }

  /** The `source` URLs for samples of a dataset, as this caller reaches us. */
  const sourcesFor = (request: FastifyRequest, dataset: DatasetRow, variant: Variant | null) =>
    ctx.sources.page(sourceBase(ctx, request), dataset.projectId, dataset.id, variant, ctx.now())

  const count = ({ dataset, task }: Scope, filter: SampleFilter) =>
    task ? store.tasks.count(task.id, filter) : store.count(dataset, filter)

  for (const [base, scopeOf] of [
    [DATASET, datasetScope],
    [TASK, taskScope]
  ] as const) {
    // The two hot answers are written as JSON bytes directly (wire-json.ts), not as objects.
    app.get(`${base}/data-annotations/samples`, { preHandler }, (request, reply) => {
      const scope = scopeOf(request)
      const { dataset, task } = scope
      const query = parse(ListSamplesQuery, request.query)
      const filter = filterOf(query, task !== null)
      const total = filter ? count(scope, filter) : 0
      const past = query.offset * query.limit >= total
      const where = { datasetId: dataset.id, taskId: task?.id ?? null }
      const ids =
        filter && !past ? store.pageIds(where, filter, query.order, query.offset, query.limit) : []
      const rows = store.samples(dataset.id, ids)
      const sources = sourcesFor(request, dataset, query.process_parameter ?? null)
      const type = task?.type ?? dataset.type
      const verdicts = task ? store.tasks.verdicts(task.id, ids) : null
      const samples = rows.map((row) =>
        sampleJson(row, type, sources.json(row.id), verdicts?.get(row.id))
      )
      sendJson(reply, listSamplesJson(total, samples))
    })

    app.get(`${base}/data-annotations/samples/:sample_id`, { preHandler }, (request, reply) => {
      const { dataset, task } = scopeOf(request)
      const { sample_id } = task
        ? parse(TaskSampleParams, request.params)
        : parse(SampleParams, request.params)
      const query = parse(DescribeSampleQuery, request.query)
      const row = store.sample(dataset.id, sample_id)
      if (!row || (task && !store.tasks.has(task.id, sample_id))) throw sampleNotFound(sample_id)
      const sources = sourcesFor(request, dataset, query.process_parameter ?? null)
      const verdict = task ? store.tasks.verdicts(task.id, [row.id]).get(row.id) : undefined
      sendJson(reply, sampleJson(row, task?.type ?? dataset.type, sources.json(row.id), verdict))
    })

    app.get(`${base}/data-annotations/stats`, { preHandler }, async (request) => {
      const scope = scopeOf(request)
      const { dataset, task } = scope
      const labels = store.labels(dataset.id)
      if (!task) return wireStats(dataset.type, labels, datasetCounts(dataset))
      const counts = store.tasks.labelCounts(task.id)
      return wireStats(
        task.type,
        labels.map((l) => {
          const c = counts.get(l.name)
          return { ...l, count: c?.count ?? 0, sampleCount: c?.samples ?? 0 }
        }),
        { all: count(scope, { kind: 'all' }), tagged: count(scope, { kind: 'tagged' }), deleted: 0 }
      )
    })
  }
}
