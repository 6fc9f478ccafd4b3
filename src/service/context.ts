import type { FastifyRequest, preHandlerHookHandler } from 'fastify'
import type { Logger } from '../main/log/logger'
import { authenticate } from './auth'
import type { Credentials } from './credentials'
import { datasetNotFound } from './errors'
import type { SourceSigner } from './image-urls'
import type { ImageFiles } from './images'
import type { ServedHosts } from './served-hosts'
import type { SignInLimits } from './sign-in-limits'
import { parse, ProjectParams } from './params'
import type { DatasetRow, SampleRow } from './rows'
import type { Store } from './store'

/** What every route needs: the stores, the image files, the URL key and the clock. */
export interface ServiceContext {
  store: Store
  credentials: Credentials
  files: ImageFiles
  /** The key that signs image URLs (checked in routes-images.ts). */
  urlSecret: string
  sources: SourceSigner
  now: () => number
  /** Base for `source` URLs when set (a reverse proxy, a LAN name); else the request's Host. */
  publicUrl: string | null
  /** The listening address, for requests whose Host header is unusable. */
  listenUrl: () => string
  /** The hosts a signature may be made for (served-hosts.ts). */
  hosts: ServedHosts
  /** Failed IAM sign-in budgets (sign-in-limits.ts). */
  signIns: SignInLimits
  /** Failures whoever runs the service must see (5xx answers, files left behind): always. */
  report: (message: string) => void
  /** The service's log file, `<data>/logs/service.N.log` (report writes there too). */
  log: Logger
}

const EMPTY = Buffer.alloc(0)

const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/

/** Where the caller reached us, so the image URLs we hand out work from its side. */
export function sourceBase(ctx: ServiceContext, request: FastifyRequest): string {
  if (ctx.publicUrl) return ctx.publicUrl
  const host = request.headers.host
  return host && HOST.test(host) ? `http://${host}` : ctx.listenUrl()
}

/** preHandler for API routes: a valid credential for the project in the path, or 401/403. */
/** A request as the signature checks see it, and what they check it with. */
export function signedRequest(ctx: ServiceContext, request: FastifyRequest) {
  return {
    request: {
      method: request.method,
      rawUrl: request.raw.url ?? request.url,
      headers: request.headers,
      body: Buffer.isBuffer(request.body) ? request.body : EMPTY
    },
    verifier: { credentials: ctx.credentials, now: ctx.now(), hosts: ctx.hosts }
  }
}

export function requireAuth(ctx: ServiceContext): preHandlerHookHandler {
  return (request, _reply, done) => {
    try {
      const { project_id } = parse(ProjectParams, request.params)
      const signed = signedRequest(ctx, request)
      authenticate(signed.request, signed.verifier, project_id)
    } catch (error) {
      done(error as Error)
      return
    }
    done()
  }
}

export function datasetOf(ctx: ServiceContext, projectId: string, datasetId: string): DatasetRow {
  const dataset = ctx.store.dataset(projectId, datasetId)
  if (!dataset) throw datasetNotFound(datasetId)
  return dataset
}

/** After the commit: the rows are gone whatever happens to their files, so only log a failure. */
export async function removeFiles(
  ctx: ServiceContext,
  rows: SampleRow[],
  source: boolean
): Promise<void> {
  try {
    await ctx.files.remove(rows, source)
  } catch (error) {
    ctx.report(
      `could not remove image files: ${error instanceof Error ? error.message : String(error)}`
    )
  }
}
