import path from 'node:path'

/**
 * Maps a request for the app's own files (`app://tagdeck/<path>`, or the browser shell's `/<path>`)
 * to a file under `root`, or null when the request could reach outside it.
 * Uses path.relative, not startsWith: `/root-evil` starts with `/root`.
 */
export function resolveAppPath(root: string, urlPath: string): string | null {
  if (urlPath.includes('\0')) return null
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
    // eslint-disable-next-line no-restricted-syntax -- a malformed path is refused: null is the answer (a 404)
  } catch {
    return null
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null
  const relative = decoded.replace(/^\/+/, '') || 'index.html'
  const base = path.resolve(root)
  const target = path.resolve(base, relative)
  const rel = path.relative(base, target)
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return null
  return target
}
