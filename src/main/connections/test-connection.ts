import type { ConnectionVerdict } from '../../shared/domain'
import { TagdeckError } from '../../shared/errors'
import { endpointsFor, joinUrl } from '../api/endpoints'
import { networkError } from '../api/errors'
import { DEFAULT_WORKSPACE } from '../api/operations'
import { buildClient, type NetDeps, type ProfileCore } from './client'

/**
 * "Test connection": one light authenticated call (list one dataset), read for a verdict the
 * user can act on. Clock skew comes from the service's Date header, because a clock more than
 * 15 minutes off makes every AK/SK signature fail and looks exactly like a wrong key.
 */
const SKEW_WARNING_MS = 5 * 60_000

function minutes(ms: number): string {
  const m = Math.round(Math.abs(ms) / 60_000)
  return `${m} minute${m === 1 ? '' : 's'} ${ms > 0 ? 'ahead of' : 'behind'}`
}

export async function testConnection(
  profile: ProfileCore,
  secret: string | null,
  deps: NetDeps
): Promise<ConnectionVerdict> {
  const now = deps.now ?? Date.now
  let skew: number | null = null
  const baseFetch = deps.fetch ?? fetch
  // Watches every answer for its Date header, including the refusals (which matter most here).
  const watching: typeof fetch = async (input, init) => {
    const response = await baseFetch(input, init)
    const date = Date.parse(response.headers.get('date') ?? '')
    if (!Number.isNaN(date)) skew = now() - date
    return response
  }
  const verdict = (v: Omit<ConnectionVerdict, 'clockSkewMs'>): ConnectionVerdict => {
    const clockSkewMs: number | null = skew
    const off = clockSkewMs !== null && Math.abs(clockSkewMs) > SKEW_WARNING_MS
    const note = off ? ` Your clock is ${minutes(clockSkewMs)} the service's: fix it.` : ''
    return { ...v, clockSkewMs, message: `${v.message}${note}` }
  }
  if (secret === null) {
    // Nothing to sign with: still say whether the service answers at all.
    const { modelarts } = endpointsFor(profile.target, profile.auth, deps.regionEndpoint)
    const url = joinUrl(modelarts, '/health')
    let problem: string | null = null
    try {
      const response = await watching(url, { signal: AbortSignal.timeout(10_000) })
      await response.body?.cancel()
    } catch (error) {
      problem = networkError(error, url.host).message
    }
    return verdict({
      reachable: problem === null,
      authOk: null,
      projectOk: null,
      datasets: null,
      message: problem ?? 'The service answers. Enter the secret key or password to check the rest.'
    })
  }

  const client = buildClient(
    profile,
    secret,
    { ...deps, fetch: watching },
    {
      policy: { retries: 1, timeoutMs: 10_000 }
    }
  )
  try {
    const { data } = await client.api.listDatasets(0, 1, DEFAULT_WORKSPACE)
    return verdict({
      reachable: true,
      authOk: true,
      projectOk: true,
      datasets: data.total_number,
      message: `Connected: ${data.total_number} dataset${data.total_number === 1 ? '' : 's'} in the project.`
    })
  } catch (error) {
    if (!(error instanceof TagdeckError)) throw error
    return verdict(judge(error, profile, client.endpoints.modelarts.host))
  }
}

function judge(
  error: TagdeckError,
  profile: ProfileCore,
  host: string
): Omit<ConnectionVerdict, 'clockSkewMs'> {
  const base = { datasets: null }
  if (error.code === 'network')
    return { ...base, reachable: false, authOk: null, projectOk: null, message: error.message }
  const status = error.service?.httpStatus ?? 0
  const code = error.service?.errorCode ?? ''
  const tokenPart = profile.auth.kind === 'password' ? 'user name, password or domain' : 'AK/SK'
  if (status === 401)
    return {
      ...base,
      reachable: true,
      authOk: false,
      projectOk: null,
      message: `The ${tokenPart} was refused: ${error.service?.errorMsg ?? error.message} (${code}).`
    }
  if (status === 403)
    return {
      ...base,
      reachable: true,
      authOk: true,
      projectOk: code === 'ModelArts.0210' ? false : null,
      message:
        code === 'ModelArts.0210'
          ? `The credentials are good but project ${profile.projectId} is not theirs (${code}).`
          : `Signed in, but access was refused: ${error.service?.errorMsg ?? error.message} (${code}).`
    }
  if (status === 404)
    return {
      ...base,
      reachable: true,
      authOk: null,
      projectOk: null,
      message: `${host} answered, but not as a ModelArts dataset API (HTTP 404): check the endpoint URL.`
    }
  return { ...base, reachable: true, authOk: null, projectOk: null, message: error.message }
}
