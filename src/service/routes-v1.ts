import type { FastifyInstance } from 'fastify'
import { datasetOf, removeFiles, requireAuth, type ServiceContext } from './context'
import { CODES, sampleNotFound } from './errors'
import { jsonBody, parse, V1IdsBody, V1ImageParams, V1JobParams, V1ListQuery } from './params'
import type { SampleFilter } from './store'
import { v1Image } from './wire'

/**
 * The legacy data-annotation routes the vendor's old Python SDK (`DataAnnotationsApi`) calls,
 * with its result shapes: `{is_success: true, ...}`, and `{is_success: false, error_code,
 * error_msg}` on failure (the error handler adds `is_success` for every /v1 route).
 */
const JOB = '/v1/:project_id/data-annotations/:data_annotation_id'
const UNTAGGED = '__none__'

export function registerV1(app: FastifyInstance, ctx: ServiceContext): void {
  const preHandler = requireAuth(ctx)
  const { store } = ctx

  // show_images_by_tag: no tag = every tagged image; `__none__` = untagged; page from 1.
  app.get(`${JOB}/images`, { preHandler }, async (request) => {
    const params = parse(V1JobParams, request.params)
    const query = parse(V1ListQuery, request.query)
    const job = datasetOf(ctx, params.project_id, params.data_annotation_id)
    const filter: SampleFilter =
      query.tag_name === undefined
        ? { kind: 'tagged' }
        : query.tag_name === UNTAGGED
          ? { kind: 'untagged' }
          : { kind: 'label', label: query.tag_name }
    const total = store.count(job, filter)
    const page = query.page - 1
    const ids =
      page * query.per_page >= total
        ? []
        : store.pageIds({ datasetId: job.id, taskId: null }, filter, 'asc', page, query.per_page)
    const images = store.samples(job.id, ids).map((row) => v1Image(row, job.type))
    return { is_success: true, total, images }
  })

  // get_image_info_by_id
  app.get(`${JOB}/images/:image_id/tags`, { preHandler }, async (request) => {
    const params = parse(V1ImageParams, request.params)
    const job = datasetOf(ctx, params.project_id, params.data_annotation_id)
    const row = store.sample(job.id, params.image_id)
    if (!row) throw sampleNotFound(params.image_id)
    return { is_success: true, ...v1Image(row, job.type) }
  })

  // get_image_info_by_ids: the images that exist, in request order.
  app.post(`${JOB}/tags/show`, { preHandler }, async (request) => {
    const params = parse(V1JobParams, request.params)
    const body = parse(V1IdsBody, jsonBody(request.body))
    const job = datasetOf(ctx, params.project_id, params.data_annotation_id)
    const rows = store.samples(job.id, body.image_id)
    return { is_success: true, images_tags: rows.map((row) => v1Image(row, job.type)) }
  })

  // delete_selected_image: `{}` when done.
  app.delete(`${JOB}/images/:image_id`, { preHandler }, async (request) => {
    const params = parse(V1ImageParams, request.params)
    const job = datasetOf(ctx, params.project_id, params.data_annotation_id)
    const { outcomes, rows } = store.deleteSamples(job.id, [params.image_id])
    if (!outcomes[0]?.deleted) throw sampleNotFound(params.image_id)
    await removeFiles(ctx, rows, false)
    return {}
  })

  // Batch delete: the images that exist are deleted; missing ones make the answer a failure.
  app.post(`${JOB}/images/delete`, { preHandler }, async (request) => {
    const params = parse(V1JobParams, request.params)
    const body = parse(V1IdsBody, jsonBody(request.body))
    const job = datasetOf(ctx, params.project_id, params.data_annotation_id)
    const { outcomes, rows } = store.deleteSamples(job.id, body.image_id)
    await removeFiles(ctx, rows, false)
    const missing = outcomes.filter((o) => !o.deleted).map((o) => o.id)
    if (missing.length === 0) return { is_success: true }
    return {
      is_success: false,
      error_code: CODES.sampleNotFound,
      error_msg: `${missing.length} of ${outcomes.length} images do not exist: ${missing.slice(0, 10).join(', ')}`
    }
  })
}
