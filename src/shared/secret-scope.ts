import type { ConnectionAuth, ConnectionTarget } from './domain'

/** What a saved secret is bound to: who signs in, where, and for which project. */
export interface SecretScope {
  target: ConnectionTarget
  projectId: string
  auth: ConnectionAuth
}

/** A URL as the client sends it: scheme, host and port (default ports dropped), path. */
function place(url: string): string {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`
    // eslint-disable-next-line no-restricted-syntax -- not a URL: compared as written, so it matches only itself
  } catch {
    return url
  }
}

function sameTarget(a: ConnectionTarget, b: ConnectionTarget): boolean {
  if (a.kind === 'region' && b.kind === 'region') return a.region === b.region
  if (a.kind === 'endpoint' && b.kind === 'endpoint') return place(a.url) === place(b.url)
  return false
}

function sameAuth(a: ConnectionAuth, b: ConnectionAuth): boolean {
  if (a.kind === 'aksk' && b.kind === 'aksk') return a.ak === b.ak
  if (a.kind === 'password' && b.kind === 'password')
    return (
      a.user === b.user &&
      a.domain === b.domain &&
      (a.iamUrl === undefined) === (b.iamUrl === undefined) &&
      (a.iamUrl === undefined || place(a.iamUrl) === place(b.iamUrl ?? ''))
    )
  return false
}

/**
 * Whether a saved secret may stay with an edited profile. A secret goes only where it was
 * entered: the same identity (AK, or IAM user and domain), the same endpoint or region (host
 * and port included), the same IAM URL and the same project. Anything else needs the secret
 * typed again, so an edit can never send a stored password, or a signature made with a stored
 * SK, to a new address.
 */
export function secretStaysWith(saved: SecretScope, edited: SecretScope): boolean {
  return (
    saved.projectId === edited.projectId &&
    sameTarget(saved.target, edited.target) &&
    sameAuth(saved.auth, edited.auth)
  )
}
