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
import type { DatasetRow } from './rows'
import type { SampleFilter } from './store'
import { wireDataset, wireLabels, wireStats } from './wire'
import { listSamplesJson, sampleJson, sendJson } from './wire-json'

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

  /** The `source` URLs for samples of a dataset, as this caller reaches us. */
  const sourcesFor = (request: FastifyRequest, dataset: DatasetRow, variant: Variant | null) =>
    ctx.sources.page(sourceBase(ctx, request), dataset.projectId, dataset.id, variant, ctx.now())

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

  // The two hot answers are written as JSON bytes directly (wire-json.ts), not as objects.
  app.get(SAMPLES, { preHandler }, (request, reply) => {
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
    const sources = sourcesFor(request, dataset, query.process_parameter ?? null)
    const samples = rows.map((row) => sampleJson(row, dataset.type, sources.json(row.id)))
    sendJson(reply, listSamplesJson(total, samples))
  })

  app.get(`${SAMPLES}/:sample_id`, { preHandler }, (request, reply) => {
    const params = parse(SampleParams, request.params)
    const query = parse(DescribeSampleQuery, request.query)
    const dataset = datasetOf(ctx, params.project_id, params.dataset_id)
    const row = store.sample(dataset.id, params.sample_id)
    if (!row) throw sampleNotFound(params.sample_id)
    const sources = sourcesFor(request, dataset, query.process_parameter ?? null)
    sendJson(reply, sampleJson(row, dataset.type, sources.json(row.id)))
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
