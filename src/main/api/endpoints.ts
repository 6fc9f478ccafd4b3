import type { ConnectionAuth, ConnectionTarget } from '../../shared/domain'
import { TagdeckError } from '../../shared/errors'

/**
 * Where a connection's requests go. Cloud regions follow the vendor's naming; a custom URL is
 * our own service or a private cloud (its path, if any, is kept as a prefix).
 */
export interface Endpoints {
  modelarts: URL
  /** For a custom endpoint without its own IAM URL, the endpoint itself (our service serves IAM). */
  iam: URL
}

// The one region whose public endpoints live under .cn rather than .com (api.md).
const CN_SUFFIX_REGIONS = new Set(['ap-southeast-1'])

function domainFor(region: string): string {
  return CN_SUFFIX_REGIONS.has(region) ? 'myhuaweicloud.cn' : 'myhuaweicloud.com'
}

export function regionEndpoint(service: 'modelarts' | 'iam', region: string): URL {
  return new URL(`https://${service}.${region}.${domainFor(region)}`)
}

function baseUrl(raw: string): URL {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    throw new TagdeckError({ code: 'invalid_input', message: `Not a URL: ${raw}` })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new TagdeckError({ code: 'invalid_input', message: 'Endpoints must be http or https' })
  if (url.username || url.password)
    throw new TagdeckError({
      code: 'invalid_input',
      message: 'Put credentials in the profile, not in the endpoint URL'
    })
  url.search = ''
  url.hash = ''
  url.pathname = url.pathname.replace(/\/+$/, '')
  return url
}

/**
 * `regionOverride` (development and tests only, never in a packaged app): every cloud region's
 * ModelArts and IAM are at this one URL, the local service posing as a region, so region-style
 * settings can be tried without the cloud.
 */
export function endpointsFor(
  target: ConnectionTarget,
  auth: ConnectionAuth,
  regionOverride?: URL
): Endpoints {
  if (target.kind === 'region' && regionOverride)
    return { modelarts: baseUrl(regionOverride.href), iam: baseUrl(regionOverride.href) }
  if (target.kind === 'region') {
    return {
      modelarts: regionEndpoint('modelarts', target.region),
      iam: regionEndpoint('iam', target.region)
    }
  }
  const modelarts = baseUrl(target.url)
  const iam = auth.kind === 'password' && auth.iamUrl ? baseUrl(auth.iamUrl) : modelarts
  return { modelarts, iam }
}

/** Joins a base (which may carry a path prefix) and an absolute API path. */
export function joinUrl(base: URL, path: string): URL {
  const url = new URL(base.toString())
  url.pathname = `${base.pathname.replace(/\/+$/, '')}${path}`
  return url
}
