import type { FastifyInstance } from 'fastify'
import { setTimeout as sleep } from 'node:timers/promises'
import { Busy } from './concurrency-limit'
import type { ServiceContext } from './context'
import { ApiError, CODES, unauthorized } from './errors'
import { identify } from './auth'
import { signedRequest, sourceBase } from './context'
import { jsonBody, ListProjectsQuery, parse, TokenBody } from './params'
import { isRefusal, type Refusal } from './sign-in-limits'

/**
 * `POST /v3/auth/tokens`: IAM password sign-in (api.md, "IAM token"). 201 with the token in
 * `X-Subject-Token`, valid 24 h, scoped to the user's project. Failed attempts are limited per
 * user and per client address (sign-in-limits.ts): 429 with `Retry-After` past a budget.
 */
/**
 * A refused sign-in is answered after this long: a client that ignores Retry-After and asks
 * again at once would otherwise turn cheap refusals into a flood that starves the other routes.
 * The wait costs a timer, not a core.
 */
export const THROTTLED_ANSWER_DELAY_MS = 1_000

function throttled(user: string, refusal: Refusal): ApiError {
  const seconds = Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))
  const why = {
    pair: `Too many failed sign-ins for ${user} from this address`,
    'pair-lockout': `Sign-in for ${user} from this address is locked for 15 minutes after 20 failed attempts`,
    address: 'Too many failed sign-ins from this address',
    user: `Too many failed sign-ins for ${user}`
  }[refusal.budget]
  return new ApiError(429, CODES.throttled, `${why}: try again in ${seconds} s`, {
    'Retry-After': String(seconds)
  })
}

export function registerIam(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/v3/auth/tokens', async (request, reply) => {
    const body = parse(TokenBody, jsonBody(request.body))
    const { user: login } = body.auth.identity.password
    // A socket closed under us has no address left: such attempts share one budget.
    const from = request.ip || 'unknown'
    const attempt = ctx.signIns.begin({ domain: login.domain.name, name: login.name }, from)
    if (isRefusal(attempt)) {
      await sleep(THROTTLED_ANSWER_DELAY_MS)
      throw throttled(login.name, attempt)
    }
    const user = await ctx.credentials
      .checkPassword(login.domain.name, login.name, login.password)
      .catch(async (error: unknown) => {
        if (!(error instanceof Busy)) throw error
        await sleep(THROTTLED_ANSWER_DELAY_MS)
        throw new ApiError(429, CODES.throttled, 'Too many sign-ins at once: try again in 1 s', {
          'Retry-After': '1'
        })
      })
    if (!user)
      throw unauthorized(
        CODES.badSignature,
        'Incorrect IAM authentication information: the user name, password or domain is wrong'
      )
    attempt.succeeded()
    const asked = body.auth.scope
    // A token scoped to a project calls its APIs; one scoped to the domain lists its projects.
    let project: { id: string; name: string; domain: string } | null = null
    if (asked && 'domain' in asked) {
      if (asked.domain.name !== user.domain)
        throw new ApiError(
          403,
          CODES.projectMismatch,
          `User ${user.name} is not in domain ${asked.domain.name}`
        )
    } else {
      const scope = asked?.project
      project =
        scope?.id !== undefined
          ? ctx.credentials.project(scope.id)
          : scope?.name !== undefined
            ? ctx.credentials.projectByName(scope.name)
            : ctx.credentials.project(user.projectId)
      if (!project || project.id !== user.projectId)
        throw new ApiError(
          403,
          CODES.projectMismatch,
          `User ${user.name} has no access to project ${scope?.id ?? scope?.name ?? ''}`
        )
    }
    const now = ctx.now()
    const { token, expiresAt } = ctx.credentials.issueToken(user, project?.id ?? '', now)
    const domain = { id: user.domain, name: user.domain }
    reply.code(201).header('X-Subject-Token', token)
    return {
      token: {
        methods: ['password'],
        issued_at: new Date(now).toISOString(),
        expires_at: new Date(expiresAt).toISOString(),
        ...(project ? { project: { id: project.id, name: project.name, domain } } : { domain }),
        user: { id: user.id, name: user.name, domain }
      }
    }
  })

  // KeystoneListProjects, as the vendor SDK core looks up a region's project: signed with an
  // AK/SK, or with a token (one scoped to the user's domain is enough).
  app.get('/v3/projects', async (request) => {
    const signed = signedRequest(ctx, request)
    const caller = identify(signed.request, signed.verifier)
    const query = parse(ListProjectsQuery, request.query)
    const projects = ctx.credentials.projectsOf(caller.domain, query.name ?? null)
    return {
      links: { self: `${sourceBase(ctx, request)}/v3/projects` },
      projects: projects.map((p) => ({
        id: p.id,
        name: p.name,
        domain_id: p.domain,
        parent_id: p.domain,
        description: '',
        enabled: true,
        is_domain: false
      }))
    }
  })
}
