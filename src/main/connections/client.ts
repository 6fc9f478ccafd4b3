import type { ConnectionAuth, ConnectionTarget } from '../../shared/domain'
import { AkSkAuth, PasswordAuth, type Authenticator } from '../api/auth'
import { endpointsFor, type Endpoints } from '../api/endpoints'
import {
  DEFAULT_POLICY,
  HttpClient,
  type FetchLike,
  type TimedFetch,
  type HttpDeps,
  type RetryPolicy
} from '../api/http'
import { ModelArtsClient } from '../api/modelarts'
import { Operations } from '../api/operations'

/** What a host may swap out for tests: the network, time and randomness. */
export interface NetDeps {
  fetch?: typeof fetch
  sleep?: HttpDeps['sleep']
  random?: () => number
  now?: () => number
  policy?: RetryPolicy
  /** Development and tests only: where every cloud region's services are (endpoints.ts). */
  regionEndpoint?: URL
}

export interface ClientHooks {
  onOutcome?: HttpDeps['onOutcome']
  isOffline?: () => boolean
  policy?: Partial<RetryPolicy>
}

export interface ProfileCore {
  target: ConnectionTarget
  projectId: string
  auth: ConnectionAuth
}

export interface ConnectionClient {
  ops: Operations
  api: ModelArtsClient
  endpoints: Endpoints
}

/** An HTTP client with the connection's policy; `deps.fetch` may be any FetchLike or TimedFetch here. */
export function httpClient(
  deps: Omit<NetDeps, 'fetch'> & { fetch?: FetchLike | TimedFetch },
  hooks: ClientHooks = {}
): HttpClient {
  return new HttpClient(
    {
      fetch: deps.fetch,
      sleep: deps.sleep,
      random: deps.random,
      onOutcome: hooks.onOutcome,
      isOffline: hooks.isOffline
    },
    { ...(deps.policy ?? DEFAULT_POLICY), ...hooks.policy }
  )
}

/** A ready client for one profile and its secret (SK or password). */
export function buildClient(
  profile: ProfileCore,
  secret: string,
  deps: NetDeps,
  hooks: ClientHooks = {}
): ConnectionClient {
  const endpoints = endpointsFor(profile.target, profile.auth, deps.regionEndpoint)
  const http = httpClient(deps, hooks)
  const auth: Authenticator =
    profile.auth.kind === 'aksk'
      ? new AkSkAuth(profile.auth.ak, secret, deps.now)
      : new PasswordAuth({
          iam: endpoints.iam,
          user: profile.auth.user,
          password: secret,
          domain: profile.auth.domain,
          projectId: profile.projectId,
          http,
          now: deps.now
        })
  const api = new ModelArtsClient({
    endpoint: endpoints.modelarts,
    projectId: profile.projectId,
    auth,
    http
  })
  return { ops: new Operations(api), api, endpoints }
}
