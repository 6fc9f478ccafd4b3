import type { EventPayload } from '../../shared/ipc'
import { TagdeckError } from '../../shared/errors'
import { mapLimit } from '../map-limit'
import type { ImageFetcher, ImageRef } from './fetcher'

/**
 * Downloads many images into the cache ahead of need (a page of thumbnails, a job for offline
 * review). Every task shares one bound on downloads in flight, so a caller may queue the next
 * task before the last one ends without ever exceeding it. Progress goes out at the start, at
 * most every `progressEveryMs` while running (one event per image would cost more than the
 * image on a fast local service), and at the end. Cancellable by task id.
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

export interface PrefetchOptions {
  /** Downloads in flight across every task. */
  concurrency: number
  progressEveryMs: number
  now: () => number
}

export class PrefetchTasks {
  private readonly running = new Map<string, AbortController>()
  private readonly slots: Slots
  private readonly options: PrefetchOptions

  constructor(
    private readonly fetcher: ImageFetcher,
    private readonly progress: (payload: EventPayload<'images.progress'>) => void,
    options: Partial<PrefetchOptions> = {}
  ) {
    this.options = { concurrency: 4, progressEveryMs: 100, now: Date.now, ...options }
    this.slots = new Slots(this.options.concurrency)
  }

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
    let reportedAt = this.options.now()
    const report = () => this.progress({ taskId, total: sampleIds.length, ...tally })
    try {
      report()
      await mapLimit(
        sampleIds,
        this.options.concurrency,
        async (sampleId) => {
          const release = await this.slots.take()
          try {
            if (controller.signal.aborted) return
            const image = await this.fetcher.get({ ...request, sampleId }, controller.signal)
            tally.done++
            tally.bytes += image.bytes.length
          } catch {
            if (controller.signal.aborted) return
            tally.failed++
          } finally {
            release()
          }
          const now = this.options.now()
          if (now - reportedAt >= this.options.progressEveryMs) {
            reportedAt = now
            report()
          }
        },
        controller.signal
      )
      report()
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

/** A counting semaphore, first come first served. */
class Slots {
  private readonly waiting: (() => void)[] = []

  constructor(private free: number) {}

  async take(): Promise<() => void> {
    if (this.free > 0) this.free--
    else await new Promise<void>((resolve) => this.waiting.push(resolve))
    let released = false
    return () => {
      if (released) return
      released = true
      const next = this.waiting.shift()
      if (next) next()
      else this.free++
    }
  }
}
