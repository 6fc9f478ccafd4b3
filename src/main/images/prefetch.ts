import type { EventPayload } from '../../shared/ipc'
import { TagdeckError } from '../../shared/errors'
import type { ImageFetcher, ImageRef } from './fetcher'

/**
 * Downloads many images into the cache ahead of need (a page of thumbnails, a job for offline
 * review). Every task shares one bound on downloads in flight, and the oldest task goes first:
 * a later task's downloads start only once every image of the earlier ones has started. So a
 * caller that queues the next task before the last one ends (an offline download, chunk after
 * chunk) sees each task finish as early as it can while the next keeps the downloads busy,
 * instead of all of them finishing together and leaving a gap. Progress goes out while a task
 * runs, at most every `progressEveryMs`, the first that long after it started: a task that ends
 * sooner sends none, its answer says it all (an offline download's chunk of 100 thumbnails
 * from a fast service ends in ~0.1 s, and an event at its start and end cost the page and
 * Chromium more than the chunk's bookkeeping). Cancellable by task id.
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

/**
 * Downloads in flight by default: a browser's six connections to one host. Image stores are far
 * away (a presigned OBS URL is a round trip of 50-200 ms), so fewer leaves most of a fast link
 * idle; the local service answers as fast either way.
 */
export const PREFETCH_CONCURRENCY = 12

/** A running task: its images not started yet (from `next`), and those in flight. */
interface Task {
  request: PrefetchRequest
  controller: AbortController
  tally: { done: number; failed: number; bytes: number }
  next: number
  inFlight: number
  reportedAt: number
  finish: () => void
}

export class PrefetchTasks {
  private readonly running = new Map<string, Task>()
  /** Tasks with images not started yet, oldest first. */
  private readonly queue: Task[] = []
  private inFlight = 0
  private readonly options: PrefetchOptions

  constructor(
    private readonly fetcher: ImageFetcher,
    private readonly progress: (payload: EventPayload<'images.progress'>) => void,
    options: Partial<PrefetchOptions> = {}
  ) {
    this.options = {
      concurrency: PREFETCH_CONCURRENCY,
      progressEveryMs: 250,
      now: Date.now,
      ...options
    }
  }

  async run(request: PrefetchRequest): Promise<PrefetchResult> {
    const { taskId } = request
    if (this.running.has(taskId))
      throw new TagdeckError({
        code: 'invalid_input',
        message: `Prefetch ${taskId} is already running`
      })
    let finish = () => {}
    const finished = new Promise<void>((resolve) => (finish = resolve))
    const task: Task = {
      request,
      controller: new AbortController(),
      tally: { done: 0, failed: 0, bytes: 0 },
      next: 0,
      inFlight: 0,
      reportedAt: this.options.now(),
      finish
    }
    this.running.set(taskId, task)
    try {
      this.queue.push(task)
      this.pump()
      await finished
      return { ...task.tally, cancelled: task.controller.signal.aborted }
    } finally {
      this.running.delete(taskId)
    }
  }

  cancel(taskId: string): boolean {
    const task = this.running.get(taskId)
    if (!task) return false
    task.controller.abort()
    this.pump()
    return true
  }

  cancelAll(): void {
    for (const task of this.running.values()) task.controller.abort()
    this.pump()
  }

  /** Starts downloads, oldest task first, while there is room; ends tasks with nothing left. */
  private pump(): void {
    for (let i = 0; i < this.queue.length;) {
      const task = this.queue[i]
      if (task.controller.signal.aborted || task.next >= task.request.sampleIds.length) {
        this.queue.splice(i, 1)
        this.settleIfDone(task)
        continue
      }
      // Full: later tasks are still looked at, so a cancelled or empty one ends now.
      if (this.inFlight >= this.options.concurrency) i++
      else this.start(task, task.request.sampleIds[task.next++])
    }
  }

  private start(task: Task, sampleId: string): void {
    this.inFlight++
    task.inFlight++
    const { signal } = task.controller
    this.fetcher
      .get({ ...task.request, sampleId }, signal)
      .then(
        (image) => {
          task.tally.done++
          task.tally.bytes += image.bytes.length
        },
        () => {
          if (!signal.aborted) task.tally.failed++
        }
      )
      .finally(() => {
        this.inFlight--
        task.inFlight--
        const now = this.options.now()
        if (now - task.reportedAt >= this.options.progressEveryMs) {
          task.reportedAt = now
          this.report(task)
        }
        this.pump()
        this.settleIfDone(task)
      })
  }

  /** A task ends once none of its images is left to start or in flight. */
  private settleIfDone(task: Task): void {
    const started = task.controller.signal.aborted || task.next >= task.request.sampleIds.length
    if (started && task.inFlight === 0) task.finish()
  }

  private report(task: Task): void {
    const { taskId, sampleIds } = task.request
    this.progress({ taskId, total: sampleIds.length, ...task.tally })
  }
}
