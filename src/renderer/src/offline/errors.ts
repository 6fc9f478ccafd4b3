import { TagdeckError } from '../../../shared/errors'

/** The failures of a request that mean "could not reach the service": use the cache instead. */
export function isUnreachable(error: unknown): boolean {
  if (!(error instanceof TagdeckError)) return false
  return error.code === 'network' || error.code === 'offline'
}

export function notAvailableOffline(what: string): TagdeckError {
  return new TagdeckError({ code: 'offline', message: `${what} is not available offline` })
}

export function describe(error: unknown): { code: string; message: string } {
  if (error instanceof TagdeckError) {
    const service = error.service
    return service
      ? { code: service.errorCode, message: service.errorMsg || error.message }
      : { code: error.code, message: error.message }
  }
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) }
}
