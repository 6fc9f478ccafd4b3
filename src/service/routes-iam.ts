import type { FastifyInstance } from 'fastify'
import type { ServiceContext } from './context'
import { ApiError, CODES, unauthorized } from './errors'
import { jsonBody, parse, TokenBody } from './params'

/**
 * `POST /v3/auth/tokens`: IAM password sign-in (api.md, "IAM token"). 201 with the token in
 * `X-Subject-Token`, valid 24 h, scoped to the user's project.
 */
export function registerIam(app: FastifyInstance, ctx: ServiceContext): void {
  app.post('/v3/auth/tokens', async (request, reply) => {
    const body = parse(TokenBody, jsonBody(request.body))
    const { user: login } = body.auth.identity.password
    const user = await ctx.credentials.checkPassword(login.domain.name, login.name, login.password)
    if (!user)
      throw unauthorized(
        CODES.badSignature,
        'Incorrect IAM authentication information: the user name, password or domain is wrong'
      )
    const scope = body.auth.scope?.project
    const project =
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
    const now = ctx.now()
    const { token, expiresAt } = ctx.credentials.issueToken(user, project.id, now)
    const domain = { id: project.domain, name: project.domain }
    reply.code(201).header('X-Subject-Token', token)
    return {
      token: {
        methods: ['password'],
        issued_at: new Date(now).toISOString(),
        expires_at: new Date(expiresAt).toISOString(),
        project: { id: project.id, name: project.name, domain },
        user: { id: user.id, name: user.name, domain }
      }
    }
  })
}
