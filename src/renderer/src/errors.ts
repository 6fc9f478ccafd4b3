import { ErrorCode, TagdeckError, type ServiceErrorInfo } from '../../shared/errors'

/** Any failure, as what the error panel shows: our code (for the translated line) and the details. */
export interface Described {
  code: ErrorCode
  /** The service's own words, shown as sent. */
  service: ServiceErrorInfo | null
  /** Tagdeck's technical message when the service said nothing (kept for bug reports). */
  detail: string | null
}

export function describeError(error: unknown): Described {
  if (error instanceof TagdeckError) {
    return {
      code: error.code,
      service: error.service ?? null,
      detail: error.service ? null : error.message || null
    }
  }
  if (typeof error === 'object' && error !== null && 'code' in error && 'message' in error) {
    const parsed = ErrorCode.safeParse((error as { code: unknown }).code)
    if (parsed.success) {
      return {
        code: parsed.data,
        service: null,
        detail: String((error as { message: unknown }).message)
      }
    }
  }
  return {
    code: 'internal',
    service: null,
    detail: error instanceof Error ? error.message : String(error)
  }
}
