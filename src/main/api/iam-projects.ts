import { z } from 'zod'
import { TagdeckError } from '../../shared/errors'
import type { Authenticator } from './auth'
import { joinUrl } from './endpoints'
import type { HttpClient } from './http'
import { canonicalQuery } from './signer'

/**
 * "Which project id?": IAM's KeystoneListProjects (`GET /v3/projects?name=<region>`), as the
 * vendor SDK core looks a region's project up, signed with the AK/SK or sent with a token
 * scoped to the user's domain. The SDK creates the project when there is none; Tagdeck only
 * reads: none found says so, several are offered as a choice.
 */
const ProjectList = z.object({
  projects: z
    .array(
      z.object({
        id: z.string(),
        name: z.string().default(''),
        enabled: z.boolean().optional()
      })
    )
    .default([])
})

export interface IamProject {
  id: string
  name: string
}

export async function listProjects(
  iam: URL,
  auth: Authenticator,
  http: HttpClient,
  name: string | null
): Promise<IamProject[]> {
  const url = joinUrl(iam, '/v3/projects')
  const params = new URLSearchParams()
  if (name !== null) params.set('name', name)
  url.search = canonicalQuery(params)
  const response = await http.send({
    peer: 'the IAM service',
    prepare: async () =>
      (
        await auth.authorize({
          method: 'GET',
          url,
          headers: { 'Content-Type': 'application/json' }
        })
      ).request
  })
  let json: unknown
  try {
    json = JSON.parse(response.body.toString('utf8'))
  } catch {
    throw new TagdeckError({ code: 'service', message: 'IAM sent non-JSON for its project list' })
  }
  const parsed = ProjectList.safeParse(json)
  if (!parsed.success)
    throw new TagdeckError({ code: 'service', message: 'IAM sent an unexpected project list' })
  // A 32-hex id is a region project; anything else (a domain's own entry) cannot scope a call.
  return parsed.data.projects
    .filter((p) => p.enabled !== false && /^[0-9a-f]{32}$/.test(p.id))
    .map((p) => ({ id: p.id, name: p.name }))
}
