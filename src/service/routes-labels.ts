import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify'
import { datasetOf, type ServiceContext } from './context'
import { CODES } from './errors'
import {
  DatasetParams,
  jsonBody,
  parse,
  TaskParams,
  UpdateSamplesBody,
  type WireLabel
} from './params'
import { taskNotFound } from './routes-samples'
import type { StoredLabel } from './rows'
import type { LabelUpdate } from './store'

/**
 * UpdateSamples and UpdateWorkforceTaskSamples: `PUT .../data-annotations/samples` replaces each
 * sample's whole label list (none, or an empty list, removes every label), with no version
 * check, as the cloud does. Each label is stored as compactly as it allows (a tag name, a box),
 * or whole, every field and property as sent, so a client's properties come back unchanged.
 * The answer says per sample, in the request's order, whether it was written.
 */

const DATASET = '/v2/:project_id/datasets/:dataset_id'
const TASK = `${DATASET}/workforce-tasks/:task_id`

const BOX_KEYS = ['@modelarts:feature', '@modelarts:shape']

/** The label as the store keeps it: compact when nothing would be lost, else whole. */
export function storedLabel(label: WireLabel, datasetType: 0 | 1): StoredLabel {
  const { name, type = datasetType, property = {}, ...rest } = label
  const whole = { ...rest, name, type, property }
  if (Object.keys(rest).length > 0 || type !== datasetType) return whole
  const keys = Object.keys(property)
  if (type === 0) return keys.length === 0 ? name : whole
  const feature = property['@modelarts:feature']
  if (
    keys.length === 2 &&
    keys.every((k) => BOX_KEYS.includes(k)) &&
    property['@modelarts:shape'] === 'bndbox' &&
    Array.isArray(feature) &&
    feature.length === 2 &&
    feature.every(
      (p) => Array.isArray(p) && p.length === 2 && p.every((n) => typeof n === 'number')
    )
  ) {
    const [[x1, y1], [x2, y2]] = feature as [[number, number], [number, number]]
    return [name, x1, y1, x2, y2]
  }
  return whole
}

export function registerLabelRoutes(
  app: FastifyInstance,
  ctx: ServiceContext,
  preHandler: preHandlerHookHandler
): void {
  const { store } = ctx

  const update = (request: FastifyRequest, taskId: string | null) => {
    const params = parse(DatasetParams, request.params)
    const body = parse(UpdateSamplesBody, jsonBody(request.body))
    const dataset = datasetOf(ctx, params.project_id, params.dataset_id)
    const task = taskId === null ? null : store.tasks.get(dataset.id, taskId)
    if (taskId !== null && !task) throw taskNotFound(taskId)
    const type = task?.type ?? dataset.type
    // A sample outside the task is not found there, as if it did not exist.
    const inScope = body.samples.map((s) => !task || store.tasks.has(task.id, s.sample_id))
    const updates: LabelUpdate[] = body.samples.flatMap((s, i) => {
      if (!inScope[i]) return []
      const size = s.metadata?.['@modelarts:size']
      return [
        {
          id: s.sample_id,
          labels: (s.labels ?? []).map((l) => storedLabel(l, type)),
          ...(size ? { size: { width: size[0] ?? 0, height: size[1] ?? 0 } } : {})
        }
      ]
    })
    const written = store.updateLabels(dataset.id, updates)
    let next = 0
    const results = body.samples.map((s, i) =>
      inScope[i] && written[next++]
        ? { success: true }
        : {
            success: false,
            error_code: CODES.sampleNotFound,
            error_msg: `Sample ${s.sample_id} does not exist`
          }
    )
    return { success: results.every((r) => r.success), results }
  }

  app.put(`${DATASET}/data-annotations/samples`, { preHandler }, async (request) =>
    update(request, null)
  )
  app.put(`${TASK}/data-annotations/samples`, { preHandler }, async (request) =>
    update(request, parse(TaskParams, request.params).task_id)
  )
}
