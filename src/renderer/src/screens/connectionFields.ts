import type { ConnectionInput, ConnectionProfile } from '../../../shared/domain'
import { secretStaysWith } from '../../../shared/secret-scope'

/**
 * The connection form's fields as typed, and their conversion to the IPC input. Kept by hand, not
 * on react-hook-form + the zod resolver (tried): the schema's nested paths and English messages
 * needed a mapping layer as long as these checks, about +70 lines against -27, and whether the
 * secret is needed depends on the saved profile, so the form re-renders on every key either way.
 */
export interface FormState {
  id?: string
  name: string
  targetKind: 'region' | 'endpoint'
  region: string
  url: string
  projectId: string
  authKind: 'aksk' | 'password'
  ak: string
  user: string
  domain: string
  iamUrl: string
  /** SK or password; empty keeps the saved one when editing. */
  secret: string
  sessionOnly: boolean
}

export const REGIONS = [
  'cn-north-4',
  'cn-north-1',
  'cn-east-3',
  'cn-south-1',
  'cn-southwest-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'af-south-1',
  'la-south-2',
  'eu-west-101'
] as const

export const EMPTY_FORM: FormState = {
  name: '',
  targetKind: 'region',
  region: 'cn-north-4',
  url: '',
  projectId: '',
  authKind: 'aksk',
  ak: '',
  user: '',
  domain: '',
  iamUrl: '',
  secret: '',
  sessionOnly: false
}

export type FieldProblem = 'required' | 'projectId' | 'url'
export type Problems = Partial<Record<keyof FormState, FieldProblem>>

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:'
    // eslint-disable-next-line no-restricted-syntax -- an unparsable URL is the answer (not one), not a failure
  } catch {
    return false
  }
}

/** A profile (saved, or the demo offer) as a form to edit: the secret is never known. */
export function formFrom(
  profile: Omit<ConnectionProfile, 'id' | 'hasSecret' | 'secretKeeping'> & { id?: string }
): FormState {
  return {
    ...EMPTY_FORM,
    id: profile.id,
    name: profile.name,
    targetKind: profile.target.kind,
    region: profile.target.kind === 'region' ? profile.target.region : EMPTY_FORM.region,
    url: profile.target.kind === 'endpoint' ? profile.target.url : '',
    projectId: profile.projectId,
    authKind: profile.auth.kind,
    ak: profile.auth.kind === 'aksk' ? profile.auth.ak : '',
    user: profile.auth.kind === 'password' ? profile.auth.user : '',
    domain: profile.auth.kind === 'password' ? profile.auth.domain : '',
    iamUrl: profile.auth.kind === 'password' ? (profile.auth.iamUrl ?? '') : ''
  }
}

/** Checks the form; the input to send when it is valid, otherwise what to fix per field. */
export function toInput(
  form: FormState,
  options: { secretRequired: boolean }
): { input: ConnectionInput } | { problems: Problems } {
  const problems: Problems = {}
  const need = (field: keyof FormState, value: string) => {
    if (value.trim() === '') problems[field] = 'required'
  }
  need('name', form.name)
  if (form.targetKind === 'endpoint') {
    need('url', form.url)
    if (!problems.url && !isHttpUrl(form.url.trim())) problems.url = 'url'
  }
  const projectId = form.projectId.trim().toLowerCase()
  need('projectId', projectId)
  if (!problems.projectId && !/^[0-9a-f]{32}$/.test(projectId)) problems.projectId = 'projectId'
  if (form.authKind === 'aksk') need('ak', form.ak)
  else {
    need('user', form.user)
    need('domain', form.domain)
    if (form.iamUrl.trim() !== '' && !isHttpUrl(form.iamUrl.trim())) problems.iamUrl = 'url'
  }
  if (options.secretRequired) need('secret', form.secret)
  if (Object.keys(problems).length > 0) return { problems }

  const input: ConnectionInput = {
    ...(form.id ? { id: form.id } : {}),
    name: form.name.trim(),
    target: targetOf(form),
    projectId,
    auth: authOf(form),
    ...(form.secret ? { secret: form.secret } : {}),
    ...(form.sessionOnly ? { allowSessionOnlySecret: true } : {})
  }
  return { input }
}

function targetOf(form: FormState): ConnectionInput['target'] {
  return form.targetKind === 'region'
    ? { kind: 'region', region: form.region }
    : { kind: 'endpoint', url: form.url.trim() }
}

function authOf(form: FormState): ConnectionInput['auth'] {
  return form.authKind === 'aksk'
    ? { kind: 'aksk', ak: form.ak.trim() }
    : {
        kind: 'password',
        user: form.user.trim(),
        domain: form.domain.trim(),
        ...(form.iamUrl.trim() ? { iamUrl: form.iamUrl.trim() } : {})
      }
}

export type ProjectLookup = Pick<ConnectionInput, 'target' | 'auth'> & {
  id?: string
  secret?: string
}

/**
 * What "Find project ID" sends: the service and sign-in fields, with the typed secret, or the
 * saved profile's id where its secret may still be used (`secretNeeded` false). Null while a
 * field it needs is empty or invalid.
 */
export function projectLookup(form: FormState, secretNeeded: boolean): ProjectLookup | null {
  if (form.targetKind === 'endpoint' && !isHttpUrl(form.url.trim())) return null
  if (form.authKind === 'aksk' ? !form.ak.trim() : !form.user.trim() || !form.domain.trim())
    return null
  if (form.authKind === 'password' && form.iamUrl.trim() && !isHttpUrl(form.iamUrl.trim()))
    return null
  const base = { target: targetOf(form), auth: authOf(form) }
  if (form.secret) return { ...base, secret: form.secret }
  return !secretNeeded && form.id ? { ...base, id: form.id } : null
}

/**
 * Whether the form must carry the secret: always for a new profile; for an edit, once it no
 * longer signs in as the same identity at the same place (main keeps a saved secret only
 * there, `secretStaysWith`). While a field is invalid, that field's problem comes first.
 */
export function secretRequired(saved: FormState | null, form: FormState): boolean {
  if (!saved) return true
  const before = toInput(saved, { secretRequired: false })
  const after = toInput(form, { secretRequired: false })
  if ('problems' in before || 'problems' in after) return false
  return !secretStaysWith(before.input, after.input)
}

/** Where a profile points, for its card. */
export function describeTarget(profile: Pick<ConnectionProfile, 'target'>): string {
  return profile.target.kind === 'region' ? profile.target.region : profile.target.url
}
