import type { FastifyInstance } from 'fastify'
import { z } from 'zod'
import type { ServiceContext } from './context'
import { jsonBody, parse } from './params'

/**
 * Test hooks, registered only with `testFaults: true` (CLI `--test-faults`):
 * `POST /__test__/faults` with `{"status": 503, "count": 5}` makes the next 5 API requests
 * (/v1, /v2, /v3; not image URLs, /health or /__test__) answer that status with a proper error
 * body (429 with Retry-After); `{"expireTokens": true}` expires every token issued so far;
 * `{"clear": true}` drops pending faults.
 */
const FaultBody = z.union([
  z.object({
    status: z.number().int().min(400).max(599),
    count: z.number().int().min(1).max(10_000)
  }),
  z.object({ expireTokens: z.literal(true) }),
  z.object({ clear: z.literal(true) })
])

export class Faults {
  private status = 0
  private remaining = 0

  set(status: number, count: number): void {
    this.status = status
    this.remaining = count
  }

  clear(): void {
    this.remaining = 0
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
  const path = url.split('?')[0] ?? ''
  return /^\/v[123]\//.test(path) && !/\/image\/?$/.test(path)
}

export function registerFaultRoutes(app: FastifyInstance, ctx: ServiceContext, faults: Faults) {
  app.post('/__test__/faults', async (request) => {
    const body = parse(FaultBody, jsonBody(request.body))
    if ('status' in body) faults.set(body.status, body.count)
    else if ('expireTokens' in body) ctx.credentials.expireAllTokens(ctx.now())
    else faults.clear()
    return { ok: true }
  })
}
