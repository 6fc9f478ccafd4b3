import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest
} from 'fastify'
import { randomBytes } from 'node:crypto'
import { clientErrorHandler } from './client-errors'
import type { ServiceContext } from './context'
import { ApiError, CODES, errorBody, errorForStatus, keystoneBody } from './errors'
import { Faults, isApiPath, isServicePath, registerFaultRoutes } from './faults'
import { registerIam } from './routes-iam'
import { registerImages } from './routes-images'
import { registerV1 } from './routes-v1'
import { registerV2 } from './routes-v2'

/**
 * The HTTP side: one Fastify instance with every route of api.md, `/health`, and (only when
 * asked) the test hooks. Bodies are kept as raw bytes, because a signature covers the exact bytes.
 */
export const BODY_LIMIT = 1024 * 1024

export interface AppOptions {
  testFaults: boolean
  /** Request logs (--log): the service's logger, which redacts URLs and writes stderr too. */
  log: FastifyBaseLogger | null
}

function sendError(request: FastifyRequest, reply: FastifyReply, error: ApiError): FastifyReply {
  // The legacy SDK's data-annotation routes (not the workspace API, which shares the prefix).
  const legacy = request.url.startsWith('/v1/') && request.url.includes('/data-annotations/')
  return reply
    .code(error.status)
    .headers({ ...error.headers, 'X-Request-Id': request.id })
    .type('application/json; charset=utf-8')
    .send(
      // IAM answers Keystone-style: {"error": {"code": 401, "message": ..., "title": ...}}.
      request.url.startsWith('/v3/')
        ? keystoneBody(error.status, error.message)
        : errorBody(error.code, error.message, request.id, legacy)
    )
}

/**
 * Any error as the contract's answer. A 5xx is a bug, a broken disk or an injected fault:
 * always reported on stderr (with or without --log) with the request id the client got, the
 * path without its query (image URLs carry their signature there), and the stack if unexpected.
 */
function answerError(
  ctx: ServiceContext,
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown
): FastifyReply {
  const apiError = toApiError(error)
  if (apiError.status >= 500) {
    const detail =
      error instanceof ApiError
        ? error.message
        : error instanceof Error
          ? (error.stack ?? error.message)
          : String(error)
    const target = `${request.method} ${request.url.split('?')[0] ?? ''}`
    ctx.report(
      `request ${request.id} ${target} answered ${apiError.status} ${apiError.code}: ${detail}`
    )
  }
  return sendError(request, reply, apiError)
}

/** Framework errors (body too large, bad URL, ...) in the contract's terms. */
function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error
  const status =
    typeof error === 'object' && error !== null && 'statusCode' in error
      ? Number(error.statusCode)
      : 500
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : ''
  if (status === 413 || code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new ApiError(413, CODES.param, `The request body is larger than ${BODY_LIMIT} bytes`)
  if (status >= 400 && status < 500) {
    const message = error instanceof Error ? error.message : 'Bad request'
    return new ApiError(
      status === 404 ? 404 : 400,
      status === 404 ? CODES.noSuchApi : CODES.param,
      message
    )
  }
  return new ApiError(500, CODES.internal, 'Internal service error')
}

/** 32 hex digits, unique per process run: a random prefix and a counter (no RNG per request). */
function requestIds(): () => string {
  const prefix = randomBytes(8).toString('hex')
  let next = 0
  return () => `${prefix}${(next++).toString(16).padStart(16, '0')}`
}

export function buildApp(ctx: ServiceContext, options: AppOptions): FastifyInstance {
  const nextId = requestIds()
  const app = Fastify({
    ...(options.log ? { loggerInstance: options.log } : { logger: false }),
    bodyLimit: BODY_LIMIT,
    genReqId: () => nextId(),
    // Requests the HTTP parser refuses (431, malformed) answer in the contract's terms too.
    clientErrorHandler: clientErrorHandler(nextId),
    // Ids up to 128 characters must reach validation (and a 400), not the router's 414.
    routerOptions: { maxParamLength: 512 },
    // Closing stops new connections; a request already on its way (its body still arriving)
    // is served, not refused, so a client never loses a write it has half sent.
    return503OnClosing: false,
    // Malformed URLs (bad %-encoding) never reach the router: answer them in the contract's terms.
    frameworkErrors: (error, request, reply) => answerError(ctx, request, reply, error)
  })

  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body))

  const faults = new Faults()
  // Hooks on every request take a callback, not a promise: one microtask hop less each.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('X-Request-Id', request.id)
    const faulty = options.testFaults && isApiPath(request.url)
    const status = faulty ? faults.take() : null
    const go = () => done(status === null ? undefined : errorForStatus(status))
    const delay =
      options.testFaults && isServicePath(request.url) ? faults.delayFor(request.url) : 0
    if (delay > 0) setTimeout(go, delay)
    else go()
  })

  app.setErrorHandler((error, request, reply) => answerError(ctx, request, reply, error))
  app.setNotFoundHandler((request, reply) =>
    sendError(
      request,
      reply,
      new ApiError(
        404,
        CODES.noSuchApi,
        `No such API: ${request.method} ${request.url.split('?')[0]}`
      )
    )
  )

  // The light connectivity probe: no auth, no faults, nothing secret.
  app.get('/health', async () => ({ ok: true }))
  registerIam(app, ctx)
  registerV2(app, ctx)
  registerV1(app, ctx)
  registerImages(app, ctx)
  if (options.testFaults) registerFaultRoutes(app, ctx, faults)
  return app
}
