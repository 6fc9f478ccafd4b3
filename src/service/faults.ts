import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { ServiceContext } from './context'
import { jsonBody, parse } from './params'
import { taskNotFound } from './routes-samples'

/**
 * Test hooks, registered only with `testFaults: true` (CLI `--test-faults`):
 * `POST /__test__/faults` with `{"status": 503, "count": 5}` makes the next 5 API requests
 * (/v1, /v2, /v3; not image URLs, /health or /__test__) answer that status with a proper error
 * body (429 with Retry-After); `{"delayMs": 200}` holds every API request and image URL that
 * long before it is handled (a slow service, until cleared), `{"delayMs": 200, "pathIncludes":
 * "/delete"}` only those whose path contains that text (`/samples/ID/image`: one image);
 * `{"expireTokens": true}` expires every token issued so far; `{"clear": true}` drops pending
 * faults and the delay;
 * `{"taskStatus": {"task": ID, "status": N}}` moves a labeling task to another status (as its
 * owner would in the console: 1 labeling, 2 accepting, 3 accepted), so a verdict can meet a task
 * that moved on.
 */
const FaultBody = z.union([
  z.object({
    status: z.number().int().min(400).max(599),
    count: z.number().int().min(1).max(10_000)
  }),
  z.object({
    delayMs: z.number().int().min(0).max(60_000),
    pathIncludes: z.string().min(1).max(200).optional()
  }),
  z.object({ expireTokens: z.literal(true) }),
  z.object({ clear: z.literal(true) }),
  z.object({
    taskStatus: z.object({
      task: z.string().min(1).max(128),
      status: z.number().int().min(0).max(99)
    })
  })
])

export class Faults {
  private status = 0
  private remaining = 0
  private delay = { ms: 0, pathIncludes: '' }

  set(status: number, count: number): void {
    this.status = status
    this.remaining = count
  }

  clear(): void {
    this.remaining = 0
    this.delay = { ms: 0, pathIncludes: '' }
  }

  slowDown(ms: number, pathIncludes = ''): void {
    this.delay = { ms, pathIncludes }
  }

  /** How long an API request to this URL waits before it is handled. */
  delayFor(url: string): number {
    const path = url.split('?')[0] ?? ''
    return path.includes(this.delay.pathIncludes) ? this.delay.ms : 0
  }

  /** The status the next API request must answer, if a fault is pending. */
  take(): number | null {
    if (this.remaining <= 0) return null
    this.remaining--
    return this.status
  }
}

/** API routes the fault switch applies to: everything a client signs or tokens, and IAM. */
export function isApiPath(url: string): boolean {
  return isServicePath(url) && !/\/image\/?$/.test(url.split('?')[0] ?? '')
}

/** An API request or an image URL: what a delay may hold. */
export function isServicePath(url: string): boolean {
  return /^\/v[123]\//.test(url.split('?')[0] ?? '')
}

export function registerFaultRoutes(app: FastifyInstance, ctx: ServiceContext, faults: Faults) {
  app.post('/__test__/faults', async (request) => {
    const body = parse(FaultBody, jsonBody(request.body))
    if ('status' in body) faults.set(body.status, body.count)
    else if ('delayMs' in body) faults.slowDown(body.delayMs, body.pathIncludes)
    else if ('expireTokens' in body) ctx.credentials.expireAllTokens(ctx.now())
    else if ('taskStatus' in body) {
      if (!ctx.store.tasks.setStatus(body.taskStatus.task, body.taskStatus.status))
        throw taskNotFound(body.taskStatus.task)
    } else faults.clear()
    return { ok: true }
  })
}
