import type { FastifyInstance, FastifyRequest } from 'fastify'
import { datasetOf, removeFiles, requireAuth, sourceBase, type ServiceContext } from './context'
import { CODES, sampleNotFound } from './errors'
import type { Variant } from './image-urls'
import {
  DatasetParams,
  DeleteSamplesBody,
  DescribeSampleQuery,
  jsonBody,
  ListDatasetsQuery,
  ListSamplesQuery,
  parse,
  ProjectParams,
  SampleParams
} from './params'
import type { DatasetRow, SampleRow } from './rows'
import type { SampleFilter } from './store'
import { wireDataset, wireLabels, wireSample, wireStats } from './wire'

/** The ModelArts v2 dataset API subset of api.md. */
const SAMPLES = '/v2/:project_id/datasets/:dataset_id/data-annotations/samples'

function filterOf(query: {
  label_name?: string
  sample_state?: '__ALL__' | '__NONE__'
}): SampleFilter | null {
  if (query.label_name !== undefined)
    // A label on an unlabelled sample cannot be: the answer is empty.
    return query.sample_state === '__NONE__' ? null : { kind: 'label', label: query.label_name }
  if (query.sample_state === '__ALL__') return { kind: 'tagged' }
  if (query.sample_state === '__NONE__') return { kind: 'untagged' }
  return { kind: 'all' }
}

export function registerV2(app: FastifyInstance, ctx: ServiceContext): void {
  const preHandler = requireAuth(ctx)
  const { store } = ctx

  const sampleJson = (
    request: FastifyRequest,
    dataset: DatasetRow,
    row: SampleRow,
    variant: Variant | null
  ) => {
    const ref = { projectId: dataset.projectId, datasetId: dataset.id, sampleId: row.id, variant }
    const source = ctx.sources.sign(sourceBase(ctx, request), ref, ctx.now())
    return wireSample(row, dataset.type, source)
  }

  app.get('/v2/:project_id/datasets', { preHandler }, async (request) => {
    const { project_id } = parse(ProjectParams, request.params)
    const query = parse(ListDatasetsQuery, request.query)
    const { total, rows } = store.listDatasets(project_id, query.offset, query.limit)
    return { total_number: total, datasets: rows.map(wireDataset) }
  })

  app.get('/v2/:project_id/datasets/:dataset_id', { preHandler }, async (request) => {
    const params = parse(DatasetParams, request.params)
    return wireDataset(datasetOf(ctx, params.project_id, params.dataset_id))
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
    '/v2/:project_id/datasets/:dataset_id/data-annotations/stats',
    { preHandler },
    async (request) => {
      const params = parse(DatasetParams, request.params)
      const dataset = datasetOf(ctx, params.project_id, params.dataset_id)
      return wireStats(dataset, store.labels(dataset.id))
    }
  )

  app.get(SAMPLES, { preHandler }, async (request) => {
    const params = parse(DatasetParams, request.params)
    const query = parse(ListSamplesQuery, request.query)
    const dataset = datasetOf(ctx, params.project_id, params.dataset_id)
    const filter = filterOf(query)
    const total = filter ? store.count(dataset, filter) : 0
    const past = query.offset * query.limit >= total
    const ids =
      filter && !past
        ? store.pageIds(dataset.id, filter, query.order, query.offset, query.limit)
        : []
    const rows = store.samples(dataset.id, ids)
    const variant = query.process_parameter ?? null
    return {
      sample_count: total,
      samples: rows.map((row) => sampleJson(request, dataset, row, variant))
    }
  })

  app.get(`${SAMPLES}/:sample_id`, { preHandler }, async (request) => {
    const params = parse(SampleParams, request.params)
    const query = parse(DescribeSampleQuery, request.query)
    const dataset = datasetOf(ctx, params.project_id, params.dataset_id)
    const row = store.sample(dataset.id, params.sample_id)
    if (!row) throw sampleNotFound(params.sample_id)
    return sampleJson(request, dataset, row, query.process_parameter ?? null)
  })

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
