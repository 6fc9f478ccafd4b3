import { z } from 'zod'
import { TagdeckError, type ErrorCode, type ServiceErrorInfo } from '../../shared/errors'
import type { HeaderLookup } from './http'

/**
 * One typed error for every failed call: ModelArts bodies (`error_code` + `error_msg` or
 * `error_message`), gateway (APIG) bodies that carry `request_id`, or no JSON at all.
 */
const ErrorBody = z.object({
  error_code: z.string().optional(),
  error_msg: z.string().optional(),
  error_message: z.string().optional(),
  request_id: z.string().optional(),
  // Some gateways nest the error one level down; IAM answers Keystone-style, with a numeric
  // code and a title: {"error": {"code": 401, "message": "...", "title": "Unauthorized"}}.
  error: z
    .object({
      code: z.union([z.string(), z.number()]).optional(),
      message: z.string().optional(),
      title: z.string().optional()
    })
    .optional()
})

/** The error's code as the answer names it; Keystone's numeric one reads `IAM.401`. */
function errorCodeOf(parsed: z.infer<typeof ErrorBody>, status: number): string {
  if (parsed.error_code) return parsed.error_code
  const nested = parsed.error?.code
  if (typeof nested === 'number') return `IAM.${nested}`
  return nested ?? `HTTP.${status}`
}

// Service error codes that mean "that thing does not exist" rather than "you sent nonsense".
const NOT_FOUND_CODES = new Set(['ModelArts.4352', 'ModelArts.4420'])

export function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501 && status !== 505)
}

function codeFor(status: number, errorCode: string): ErrorCode {
  if (status === 401 || status === 403) return 'auth'
  if (status === 404 || NOT_FOUND_CODES.has(errorCode)) return 'not_found'
  return 'service'
}

function leadFor(status: number, code: ErrorCode): string {
  if (status === 401) return 'The service refused the credentials'
  if (status === 403) return 'The service refused access'
  if (status === 429) return 'The service is throttling requests'
  if (status >= 500) return `The service failed (HTTP ${status})`
  if (code === 'not_found') return 'Not found'
  return `The service rejected the request (HTTP ${status})`
}

export function parseServiceError(
  status: number,
  headers: HeaderLookup,
  bodyText: string
): TagdeckError {
  let parsed: z.infer<typeof ErrorBody> = {}
  try {
    const result = ErrorBody.safeParse(JSON.parse(bodyText))
    if (result.success) parsed = result.data
    // eslint-disable-next-line no-restricted-syntax -- not JSON: the status, kept below, says enough
  } catch {
    // not JSON: a proxy's HTML page or an empty body; the status still says enough
  }
  const errorCode = errorCodeOf(parsed, status)
  const errorMsg =
    parsed.error_msg ??
    parsed.error_message ??
    parsed.error?.message ??
    parsed.error?.title ??
    (bodyText.trim().slice(0, 200) || `HTTP ${status}`)
  const service: ServiceErrorInfo = {
    httpStatus: status,
    errorCode,
    errorMsg,
    requestId: headers.get('x-request-id') ?? parsed.request_id ?? null,
    retryable: isRetryableStatus(status)
  }
  const code = codeFor(status, errorCode)
  return new TagdeckError({
    code,
    message: `${leadFor(status, code)}: ${errorMsg} (${errorCode})`,
    service
  })
}

/** A request that never got an HTTP answer: refused, reset, DNS, TLS or timed out. */
export function networkError(cause: unknown, what: string): TagdeckError {
  const detail = describeCause(cause)
  return new TagdeckError({ code: 'network', message: `Could not reach ${what}: ${detail}` })
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    if (cause.name === 'TimeoutError') return 'timed out'
    const inner = (cause as Error & { cause?: unknown }).cause
    if (inner instanceof Error) {
      const code = (inner as Error & { code?: string }).code
      return code ? `${code} ${inner.message}`.trim() : inner.message
    }
    return cause.message
  }
  return String(cause)
}

/** Whether a failed call is worth trying again later (network, throttling, 5xx). */
export function isRetryable(error: unknown): boolean {
  if (!(error instanceof TagdeckError)) return false
  if (error.code === 'network') return true
  return error.service?.retryable ?? false
}
