import type { FastifyInstance } from 'fastify'
import { datasetOf, removeFiles, requireAuth, type ServiceContext } from './context'
import { CODES } from './errors'
import {
  DatasetParams,
  DeleteSamplesBody,
  jsonBody,
  ListDatasetsQuery,
  ListTasksQuery,
  parse,
  ProjectParams
} from './params'
import { registerLabelRoutes } from './routes-labels'
import { registerSampleRoutes } from './routes-samples'
import { registerVerdictRoutes } from './routes-verdicts'
import { wireDataset, wireLabels, wireTask } from './wire'

/** The ModelArts v2 dataset API subset of api.md, workspaces and labeling tasks. */
const SAMPLES = '/v2/:project_id/datasets/:dataset_id/data-annotations/samples'

export function registerV2(app: FastifyInstance, ctx: ServiceContext): void {
  const preHandler = requireAuth(ctx)
  const { store } = ctx

  app.get('/v2/:project_id/datasets', { preHandler }, async (request) => {
    const { project_id } = parse(ProjectParams, request.params)
    const query = parse(ListDatasetsQuery, request.query)
    const { total, rows } = store.listDatasets(
      project_id,
      query.workspace_id,
      query.dataset_version,
      query.offset,
      query.limit
    )
    const withLabels = query.with_labels === 'true'
    return {
      total_number: total,
      datasets: rows.map((row) => wireDataset(row, withLabels ? store.labels(row.id) : null))
    }
  })

  app.get('/v1/:project_id/workspaces', { preHandler }, async (request) => {
    const { project_id } = parse(ProjectParams, request.params)
    const workspaces = store.workspaces(project_id).map((w) => ({
      id: w.id,
      name: w.name,
      description: '',
      status: 'NORMAL',
      auth_type: 'PUBLIC'
    }))
    return { total_count: workspaces.length, count: workspaces.length, workspaces }
  })

  app.get('/v2/:project_id/datasets/:dataset_id', { preHandler }, async (request) => {
    const params = parse(DatasetParams, request.params)
    return wireDataset(datasetOf(ctx, params.project_id, params.dataset_id), null)
  })

  app.get(
    '/v2/:project_id/datasets/:dataset_id/data-annotations/labels',
    { preHandler },
    async (request) => {
      const params = parse(DatasetParams, request.params)
      const dataset = datasetOf(ctx, params.project_id, params.dataset_id)
      return wireLabels(dataset, store.labels(dataset.id))
    }
  )

  app.get(
    '/v2/:project_id/datasets/:dataset_id/workforce-tasks',
    { preHandler },
    async (request) => {
      const params = parse(DatasetParams, request.params)
      const query = parse(ListTasksQuery, request.query)
      const dataset = datasetOf(ctx, params.project_id, params.dataset_id)
      const all = store.tasks.list(dataset.id)
      const tasks = all.slice(query.offset * query.limit, (query.offset + 1) * query.limit)
      const labels = store.labels(dataset.id)
      return {
        count: all.length,
        tasks: tasks.map((task) => {
          const counts = store.tasks.labelCounts(task.id)
          return wireTask(
            task,
            labels.flatMap((l) => {
              const c = counts.get(l.name)
              return c ? [{ ...l, count: c.count, sampleCount: c.samples }] : []
            }),
            {
              all: store.tasks.count(task.id, { kind: 'all' }),
              untagged: store.tasks.count(task.id, { kind: 'untagged' })
            }
          )
        })
      }
    }
  )

  registerSampleRoutes(app, ctx, preHandler)
  registerLabelRoutes(app, ctx, preHandler)
  registerVerdictRoutes(app, ctx, preHandler)

  app.post(`${SAMPLES}/delete`, { preHandler }, async (request) => {
    const params = parse(DatasetParams, request.params)
    const body = parse(DeleteSamplesBody, jsonBody(request.body))
    const dataset = datasetOf(ctx, params.project_id, params.dataset_id)
    const { outcomes, rows } = store.deleteSamples(dataset.id, body.samples)
    await removeFiles(ctx, rows, body.delete_source)
    if (outcomes.every((o) => o.deleted)) return { success: true }
    return {
      success: false,
      results: outcomes.map((o) =>
        o.deleted
          ? { success: true }
          : {
              success: false,
              error_code: CODES.sampleNotFound,
              error_msg: `Sample ${o.id} does not exist`
            }
      )
    }
  })
}
