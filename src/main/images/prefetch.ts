import type { EventPayload } from '../../shared/ipc'
import { TagdeckError } from '../../shared/errors'
import { mapLimit } from '../map-limit'
import type { ImageFetcher, ImageRef } from './fetcher'

/**
 * Downloads many images into the cache ahead of need (a page of thumbnails, a job for offline
 * review), a few at a time, reporting progress after every image. Cancellable by task id.
 */
export interface PrefetchRequest extends Omit<ImageRef, 'sampleId'> {
  taskId: string
  sampleIds: string[]
}

export interface PrefetchResult {
  done: number
  failed: number
  bytes: number
  cancelled: boolean
}

export class PrefetchTasks {
  private readonly running = new Map<string, AbortController>()

  constructor(
    private readonly fetcher: ImageFetcher,
    private readonly progress: (payload: EventPayload<'images.progress'>) => void,
    private readonly concurrency = 4
  ) {}

  async run(request: PrefetchRequest): Promise<PrefetchResult> {
    const { taskId, sampleIds } = request
    if (this.running.has(taskId))
      throw new TagdeckError({
        code: 'invalid_input',
        message: `Prefetch ${taskId} is already running`
      })
    const controller = new AbortController()
    this.running.set(taskId, controller)
    const tally = { done: 0, failed: 0, bytes: 0 }
    const report = () => this.progress({ taskId, total: sampleIds.length, ...tally })
    try {
      report()
      await mapLimit(
        sampleIds,
        this.concurrency,
        async (sampleId) => {
          try {
            const image = await this.fetcher.get({ ...request, sampleId }, controller.signal)
            tally.done++
            tally.bytes += image.bytes.length
          } catch {
            if (controller.signal.aborted) return
            tally.failed++
          }
          report()
        },
        controller.signal
      )
      return { ...tally, cancelled: controller.signal.aborted }
    } finally {
      this.running.delete(taskId)
    }
  }

  cancel(taskId: string): boolean {
    const controller = this.running.get(taskId)
    controller?.abort()
    return controller !== undefined
  }

  cancelAll(): void {
    for (const controller of this.running.values()) controller.abort()
  }
}
