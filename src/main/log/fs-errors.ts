/** A file or folder that is not there: the usual case for optional files, not worth a log line. */
export function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === 'ENOENT'
}
