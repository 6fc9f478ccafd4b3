import { Id, ImageVariant } from '../../shared/domain'
import { TagdeckError } from '../../shared/errors'
import type { ImageReply } from '../core'
import type { ImageFetcher, ImageRef } from './fetcher'

/**
 * Answers `<connection>/<job>/<sample>/<variant>` (each segment URL-encoded, see imagePath in
 * src/shared/api.ts) for the `tagdeck-img:` scheme and the bridge's `/img/` route alike.
 */
export function parseImagePath(raw: string): ImageRef | null {
  const segments = raw.replace(/^\/+/, '').split('/')
  if (segments.length !== 4) return null
  let decoded: string[]
  try {
    decoded = segments.map((s) => decodeURIComponent(s))
    // eslint-disable-next-line no-restricted-syntax -- a malformed path is refused: null is the answer (a 404)
  } catch {
    return null
  }
  const [connectionId, jobId, sampleId, variant] = decoded
  const ids = [connectionId, jobId, sampleId].map((id) => Id.safeParse(id))
  const kind = ImageVariant.safeParse(variant)
  if (!ids.every((r) => r.success) || !kind.success) return null
  return {
    connectionId: connectionId as string,
    jobId: jobId as string,
    sampleId: sampleId as string,
    variant: kind.data
  }
}

const STATUS: Record<string, number> = {
  not_found: 404,
  auth: 401,
  offline: 503,
  network: 503,
  secret_storage: 401,
  service: 502
}

function text(status: number, body: string): ImageReply {
  return {
    status,
    contentType: 'text/plain; charset=utf-8',
    body,
    headers: { 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' }
  }
}

export async function serveImage(fetcher: ImageFetcher, raw: string): Promise<ImageReply> {
  const ref = parseImagePath(raw)
  if (!ref) return text(400, 'Not an image name: <connection>/<job>/<sample>/<thumb|full>')
  try {
    const image = await fetcher.get(ref)
    return {
      status: 200,
      contentType: image.contentType,
      body: image.bytes,
      headers: {
        // A sample's image never changes under its id.
        'Cache-Control': 'private, max-age=86400, immutable',
        'X-Content-Type-Options': 'nosniff',
        'X-Tagdeck-Cache': image.fromCache ? 'hit' : 'miss'
      }
    }
  } catch (error) {
    if (error instanceof TagdeckError) return text(STATUS[error.code] ?? 500, error.message)
    return text(500, error instanceof Error ? error.message : String(error))
  }
}
