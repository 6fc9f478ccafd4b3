import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify'
import { datasetOf, type ServiceContext } from './context'
import { ApiError, CODES, sampleNotFound } from './errors'
import { CommentsBody, jsonBody, parse, TaskParams } from './params'
import { taskNotFound } from './routes-samples'
import type { Verdict } from './tasks-store'

/**
 * ReviewSamples (`POST .../workforce-tasks/{task}/data-annotations/review`: a reviewer's
 * accept or reject with comment and score) and AcceptSamples (`POST .../acceptance/batch-comment`:
 * the owner's acceptance of a sampled task). Each is taken only while the task is in the state
 * it belongs to, and written whole or not at all; the answer is `{}`, as the cloud's.
 */

/** ModelArts' task statuses that take each kind of verdict (1 labeling, 2 accepting). */
const TAKES = { review: 1, check: 2 } as const
const WHAT = { review: 'reviewed', check: 'accepted' } as const

const TASK = '/v2/:project_id/datasets/:dataset_id/workforce-tasks/:task_id'

export function registerVerdictRoutes(
  app: FastifyInstance,
  ctx: ServiceContext,
  preHandler: preHandlerHookHandler
): void {
  const { store } = ctx

  const judge = (request: FastifyRequest, kind: 'review' | 'check') => {
    const params = parse(TaskParams, request.params)
    const body = parse(CommentsBody, jsonBody(request.body))
    const dataset = datasetOf(ctx, params.project_id, params.dataset_id)
    const task = store.tasks.get(dataset.id, params.task_id)
    if (!task) throw taskNotFound(params.task_id)
    if (task.status !== TAKES[kind])
      throw new ApiError(
        400,
        CODES.taskState,
        `Workforce task ${task.id} cannot be ${WHAT[kind]} now (its status is ${task.status})`
      )
    const verdicts: Verdict[] = body.comments.map((c) => ({
      sampleId: c.sample_id,
      accept: c.accept,
      comment: c.comment ?? '',
      score: c.score ?? null,
      workerId: c.worker_id ?? null
    }))
    const outside = store.judge(dataset.id, task.id, kind, verdicts)
    if (outside.length > 0) throw sampleNotFound(outside[0] ?? '')
    return {}
  }

  app.post(`${TASK}/data-annotations/review`, { preHandler }, async (request) =>
    judge(request, 'review')
  )
  app.post(`${TASK}/acceptance/batch-comment`, { preHandler }, async (request) =>
    judge(request, 'check')
  )
}
