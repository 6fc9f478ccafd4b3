import type { EventPayload } from '../../shared/ipc'
import { TagdeckError } from '../../shared/errors'
import { DiskWriteError } from './disk'
import { cacheKey, type ImageFetcher, type ImageRef } from './fetcher'
import { thumbSignature } from './thumb-signatures'
import { SignatureLedger } from './signature-ledger'

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
 *
 * A task answers only once its images are durably stored (`ImageCache.persist`: one write and
 * fsync for the whole task, not one per image), and counts as `done` only those the cache
 * still holds then. When the cache cannot store (disk full, any write failure) the task stops
 * at once and answers `diskError`, with the space left on that disk.
 *
 * Asked for `signatures` (thumbnails), a task also has each image's near-duplicate signature
 * worked out from the bytes it has just fetched (`thumb-signatures.ts`), as each arrives, and
 * answers with every signature of its job done by then, its own and earlier tasks' that came
 * late (`signature-ledger.ts`): no task waits for the signature thread, and the download takes
 * the last ones once its thumbnails are in (`collectSignatures`). The renderer stores them with
 * the chunk, with no second fetch.
 */
export interface PrefetchRequest extends Omit<ImageRef, 'sampleId'> {
  taskId: string
  sampleIds: string[]
  signatures?: boolean
}

export interface PrefetchResult {
  /** Images durably in the cache. */
  done: number
  /** Images that could not be downloaded. */
  failed: number
  bytes: number
  cancelled: boolean
  /** Set when the cache could not store them: the task stopped there. */
  diskError?: DiskProblem
  /**
   * When asked for: the signatures of its job's images worked out by now, this task's and
   * earlier ones' (`packedSignatures`; at most `MAX_ANSWERED`, the rest with a later answer).
   */
  signatures?: { sampleIds: string[]; values: string }
}

/** Why the cache could not store a task's images, and how much room is left. */
export interface DiskProblem {
  /** The system's code: `ENOSPC` for a full disk, `EIO`, `EDQUOT`... */
  code: string
  message: string
  /** Bytes still free on the cache's disk (null when the system cannot tell). */
  freeBytes: number | null
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
  /** Aborted by `cancel`, not by a failed write. */
  cancelled: boolean
  tally: { done: number; failed: number; bytes: number }
  /** Cache keys of the images fetched, to check they are still held once persisted. */
  keys: string[]
  diskError: DiskWriteError | null
  /** The cache's count of failed writes when the task began. */
  failuresBefore: number
  /** Whether its images' signatures are asked for (thumbnails only). */
  signatures: boolean
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
  /** Signatures worked out for tasks, held by job until an answer takes them. */
  private readonly ledger = new SignatureLedger()

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
      cancelled: false,
      tally: { done: 0, failed: 0, bytes: 0 },
      keys: [],
      diskError: null,
      failuresBefore: this.fetcher.cache.failure.count,
      signatures: request.signatures === true && request.variant === 'thumb',
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
      if (task.cancelled) return { ...task.tally, cancelled: true }
      const result = await this.persisted(task)
      return task.signatures ? { ...result, signatures: this.ledger.take(request) } : result
    } finally {
      this.running.delete(taskId)
    }
  }

  /** The task's answer once what it fetched is on the device: `done` counts only that. */
  private async persisted(task: Task): Promise<PrefetchResult> {
    const cache = this.fetcher.cache
    let failure = task.diskError
    let done = 0
    try {
      const missing = await cache.persist(task.keys)
      done = task.keys.length - missing.length
      // Lost to a failed write, rather than evicted under the cache's cap (not counted either).
      const { last, count } = cache.failure
      if (missing.length > 0 && count > task.failuresBefore) failure ??= last
    } catch (error) {
      failure ??= error instanceof DiskWriteError ? error : new DiskWriteError(error, 'the index')
    }
    const result = { ...task.tally, done, cancelled: false }
    if (!failure) return result
    const diskError = {
      code: failure.code,
      message: failure.message,
      freeBytes: await cache.freeBytes()
    }
    return { ...result, diskError }
  }

  /**
   * The signatures of a job's thumbnails still being worked out, once they are (at most
   * `MAX_ANSWERED`; `more`: others wait, ask again): what its download's chunks were answered
   * without.
   */
  collectSignatures(job: { connectionId: string; jobId: string }) {
    return this.ledger.collect(job)
  }

  /** Works out the signature of an image just fetched (a JPEG's on the signature thread). */
  private sign(task: Task, sampleId: string, bytes: Buffer): void {
    if (task.signatures) this.ledger.add(task.request, sampleId, thumbSignature(bytes))
  }

  cancel(taskId: string): boolean {
    const task = this.running.get(taskId)
    if (!task) return false
    task.cancelled = true
    task.controller.abort()
    this.pump()
    return true
  }

  cancelAll(): void {
    for (const task of this.running.values()) {
      task.cancelled = true
      task.controller.abort()
    }
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
    const ref = { ...task.request, sampleId }
    this.fetcher
      .get(ref, signal)
      .then(
        (image) => {
          if (image.notStored) return this.stopForDisk(task, image.notStored)
          task.tally.done++
          task.tally.bytes += image.bytes.length
          task.keys.push(cacheKey(ref))
          this.sign(task, sampleId, image.bytes)
        },
        (error: unknown) => {
          if (error instanceof DiskWriteError) this.stopForDisk(task, error)
          else if (!signal.aborted) task.tally.failed++
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

  /** The disk will not take more: the rest of the task would only fail the same way. */
  private stopForDisk(task: Task, error: DiskWriteError): void {
    task.diskError ??= error
    task.controller.abort()
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
