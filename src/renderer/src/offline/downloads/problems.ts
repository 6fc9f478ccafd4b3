import { TagdeckError } from '../../../../shared/errors'
import type { ChannelOutput } from '../../../../shared/ipc'
import type { OfflineJobRow, OfflineProblem } from '../store/db'

/** Why main could not store a chunk's images, as it answered. */
export type DiskError = NonNullable<ChannelOutput<'images.prefetch'>['diskError']>

/** Main could not store a chunk's images (disk full, a failed write): the download stops. */
export class DiskWriteFailed extends Error {
  constructor(readonly disk: DiskError) {
    super(disk.message)
    this.name = 'DiskWriteFailed'
  }
}

/**
 * The state a download stopped by `error` keeps. `error` when only the user can fix it: free
 * disk space, sign in again, a job that is gone, a request the service refuses for good. Else
 * `running`: it was only interrupted (the service unreachable, main restarted or killed under
 * the page, the window closing), so it goes on by itself when the service is back or on the
 * next start, as a download cut by a crash must.
 */
export function stoppedState(error: unknown): 'running' | 'error' {
  if (error instanceof DiskWriteFailed || isQuotaExceeded(error)) return 'error'
  if (!(error instanceof TagdeckError)) return 'running'
  switch (error.code) {
    case 'network':
    case 'offline':
    case 'internal':
      return 'running'
    case 'service':
      return error.service?.retryable ? 'running' : 'error'
    default:
      return 'error'
  }
}

/** IndexedDB's own "disk full" (the page's database, not main's image cache). */
function isQuotaExceeded(error: unknown): boolean {
  const names = [error, (error as { inner?: unknown } | null)?.inner].map(
    (e) => (e as { name?: unknown } | null)?.name
  )
  return names.includes('QuotaExceededError')
}

/**
 * The row's problem for a disk that would not take the images, with what the rest of the
 * download needs: the thumbnails left at the average so far, plus the full images left
 * (`fullBytes`: the estimate of every full image of the download).
 */
export function diskProblem(
  error: unknown,
  row: OfflineJobRow,
  fullBytes: number | null
): OfflineProblem | null {
  const disk =
    error instanceof DiskWriteFailed
      ? error.disk
      : isQuotaExceeded(error)
        ? { code: 'QuotaExceededError', freeBytes: null }
        : null
  if (!disk) return null
  return {
    kind: 'disk',
    code: disk.code,
    neededBytes: neededBytes(row, fullBytes),
    freeBytes: disk.freeBytes
  }
}

function neededBytes(row: OfflineJobRow, fullBytes: number | null): number | null {
  const left = Math.max(0, row.imagesTotal - row.imagesDone)
  let thumbs = 0
  if (row.phase === 'pages' || row.phase === 'thumb') {
    if (left > 0 && row.imagesDone === 0) return null
    thumbs = left === 0 ? 0 : Math.round((row.bytes / row.imagesDone) * left)
  }
  if (!row.includeFull || row.phase === 'done') return thumbs
  if (fullBytes === null) return null
  const fullLeft =
    row.phase === 'full' && row.imagesTotal > 0 ? (fullBytes * left) / row.imagesTotal : fullBytes
  return thumbs + Math.round(fullLeft)
}
