import { STATUS_CODES } from 'node:http'
/**
 * Errors as the wire contract spells them (api.md, "Errors"): a status and a
 * `{error_code, error_msg}` body. Handlers throw these; the server's error handler renders them.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {}
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export const CODES = {
  param: 'ModelArts.0104',
  badJson: 'ModelArts.4105',
  datasetNotFound: 'ModelArts.4352',
  sampleNotFound: 'ModelArts.4420',
  taskNotFound: 'ModelArts.4619',
  /** The local service's own code: a verdict the task's status does not take. */
  taskState: 'ModelArts.4621',
  badSignature: 'APIG.0301',
  tokenExpired: 'ModelArts.0202',
  tokenInvalid: 'ModelArts.0203',
  projectMismatch: 'ModelArts.0210',
  noSuchApi: 'APIG.0101',
  throttled: 'APIG.0308',
  internal: 'ModelArts.0001',
  unavailable: 'APIG.0201'
} as const

export const badParam = (message: string) => new ApiError(400, CODES.param, message)
export const badJson = (message: string) => new ApiError(400, CODES.badJson, message)
export const datasetNotFound = (id: string) =>
  new ApiError(400, CODES.datasetNotFound, `Dataset ${id} does not exist`)
export const sampleNotFound = (id: string) =>
  new ApiError(400, CODES.sampleNotFound, `Sample ${id} does not exist`)
export const unauthorized = (code: string, message: string) => new ApiError(401, code, message)
export const projectMismatch = (project: string) =>
  new ApiError(
    403,
    CODES.projectMismatch,
    `Project ${project} does not match the project of the credentials`
  )

/** The body for an error; gateway (APIG) errors also carry the request id, as the cloud's do. */
export function errorBody(
  code: string,
  message: string,
  requestId: string,
  legacy: boolean
): Record<string, string | boolean> {
  const body: Record<string, string | boolean> = { error_code: code, error_msg: message }
  if (code.startsWith('APIG.')) body.request_id = requestId
  // The v1 (legacy SDK) routes answer `{is_success: false, ...}` on failure.
  return legacy ? { is_success: false, ...body } : body
}

/** IAM's error body (Keystone's): a numeric code, the message and the status's title. */
export function keystoneBody(status: number, message: string) {
  return { error: { code: status, message, title: STATUS_CODES[status] ?? 'Error' } }
}

/** A fault-injected or otherwise generic error for an HTTP status. */
export function errorForStatus(status: number): ApiError {
  if (status === 429)
    return new ApiError(429, CODES.throttled, 'The request is throttled', { 'Retry-After': '1' })
  if (status === 401) return unauthorized(CODES.tokenInvalid, 'Authentication required')
  if (status === 403) return new ApiError(403, CODES.projectMismatch, 'Access refused')
  if (status === 404) return new ApiError(404, CODES.noSuchApi, 'The API does not exist')
  if (status >= 500 && status !== 500)
    return new ApiError(status, CODES.unavailable, 'The backend service is unavailable')
  if (status === 500) return new ApiError(500, CODES.internal, 'Internal service error')
  return new ApiError(status, CODES.param, `Request failed with HTTP ${status}`)
}
