import type { ConnectionAuth, ConnectionTarget } from '../../shared/domain'
import { AkSkAuth, PasswordAuth } from '../api/auth'
import { endpointsFor } from '../api/endpoints'
import { listProjects, type IamProject } from '../api/iam-projects'
import { httpClient, type NetDeps } from './client'

/**
 * The project ids a form's credentials can use: for a cloud region, the region's project (IAM
 * names it after the region); for a custom endpoint, every project IAM lists. The field stays
 * editable: a private cloud's IAM may not answer this at all.
 */
export function findProjects(
  form: { target: ConnectionTarget; auth: ConnectionAuth },
  secret: string,
  deps: NetDeps
): Promise<IamProject[]> {
  const { iam } = endpointsFor(form.target, form.auth, deps.regionEndpoint)
  const http = httpClient(deps)
  const auth =
    form.auth.kind === 'aksk'
      ? new AkSkAuth(form.auth.ak, secret, deps.now)
      : new PasswordAuth({
          iam,
          user: form.auth.user,
          password: secret,
          domain: form.auth.domain,
          http,
          now: deps.now
        })
  return listProjects(iam, auth, http, form.target.kind === 'region' ? form.target.region : null)
}
