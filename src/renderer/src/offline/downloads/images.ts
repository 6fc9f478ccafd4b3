import type { ImageVariant } from '../../../../shared/domain'
import type { ChannelOutput } from '../../../../shared/ipc'
import type { JobKey } from '../store/db'
import type { OfflineContext } from '../context'
import { DiskWriteFailed } from './problems'
import { logFailure } from '../log'

/**
 * Image chunks of a download: main fetches each chunk into its disk cache (`images.prefetch`,
 * a few images at a time across every chunk), reporting progress as events. Two chunks are
 * asked for at once so main never waits between them, and they are answered for in order,
 * so the progress persisted after each one is a place the download can resume from. Main
 * answers a chunk only once its images are fsynced in its cache; a chunk main could not store
 * (disk full) rejects with `DiskWriteFailed`, which stops the download. Asked to, main answers
 * a chunk of thumbnails with the near-duplicate signatures of the job it has worked out by then
 * from the bytes it cached (never waiting for them); the rest come from `collectSignatures`.
 */

export interface ChunkResult {
  done: number
  failed: number
  bytes: number
  cancelled: boolean
  /** When asked for: the thumbnails' signatures, as main sends them. */
  signatures?: ChannelOutput<'images.prefetch'>['signatures']
}

/** A chunk's answer and the task id it ran under. */
export type FetchedChunk = ChunkResult & { taskId: string }

/** The chunks of one download session in flight, with their live progress. */
export class ImageChunks {
  /** Per task id: images done (or failed) and bytes so far. */
  private readonly live = new Map<string, { done: number; bytes: number }>()
  private readonly off: () => void
  private seq = 0

  constructor(
    private readonly ctx: OfflineContext,
    onProgress: () => void
  ) {
    this.off = ctx.events.onPrefetchProgress((p) => {
      if (!this.live.has(p.taskId)) return
      this.live.set(p.taskId, { done: p.done + p.failed, bytes: p.bytes })
      onProgress()
    })
  }

  /** Images and bytes of the chunks not yet accounted for in the download's row. */
  pending(): { done: number; bytes: number } {
    let done = 0
    let bytes = 0
    for (const chunk of this.live.values()) {
      done += chunk.done
      bytes += chunk.bytes
    }
    return { done, bytes }
  }

  /** Downloads one chunk; its numbers count as pending until `settled`. */
  async fetch(
    job: JobKey,
    sampleIds: string[],
    variant: ImageVariant,
    signatures = false
  ): Promise<FetchedChunk> {
    const taskId = `offline-${this.ctx.clock.now().toString(36)}-${++this.seq}`
    this.live.set(taskId, { done: 0, bytes: 0 })
    try {
      const { diskError, ...result } = await this.ctx.transport('images.prefetch', {
        connectionId: job.connectionId,
        jobId: job.jobId,
        taskId,
        sampleIds,
        variant,
        ...(signatures ? { signatures } : {})
      })
      if (diskError) throw new DiskWriteFailed(diskError)
      this.live.set(taskId, { done: result.done + result.failed, bytes: result.bytes })
      return { ...result, taskId }
    } catch (error) {
      this.live.delete(taskId)
      throw error
    }
  }

  /**
   * The job's thumbnails' signatures its chunks were answered without (main was still working
   * them out), once main has them all: up to 1,000 an answer, `more` saying to ask again.
   */
  collectSignatures(job: JobKey): Promise<ChannelOutput<'images.collectSignatures'>> {
    return this.ctx.transport('images.collectSignatures', {
      connectionId: job.connectionId,
      jobId: job.jobId
    })
  }

  /** The chunk's numbers are in the row now. */
  settled(taskId: string): void {
    this.live.delete(taskId)
  }

  /** Asks main to stop every chunk in flight. */
  async cancel(): Promise<void> {
    const tasks = [...this.live.keys()]
    await Promise.all(
      tasks.map((taskId) =>
        this.ctx
          .transport('images.cancelPrefetch', { taskId })
          .catch(logFailure('a thumbnail download could not be cancelled'))
      )
    )
  }

  close(): void {
    this.off()
  }
}

/**
 * At most `limit` chunks in flight; each chunk's `after` runs in the order the chunks were
 * pushed, and an `after` answering false stops the window (cancelled, or the row is gone).
 */
export class ChunkWindow<R> {
  private readonly queue: { result: Promise<R>; after: (result: R) => Promise<boolean> }[] = []

  constructor(private readonly limit = 2) {}

  /** Starts a chunk once there is room; false when an earlier chunk stopped the window. */
  async push(start: () => Promise<R>, after: (result: R) => Promise<boolean>): Promise<boolean> {
    while (this.queue.length >= this.limit) if (!(await this.settleOldest())) return false
    const result = start()
    // eslint-disable-next-line no-restricted-syntax -- awaited in turn by settleOldest, which handles it
    result.catch(() => undefined)
    this.queue.push({ result, after })
    return true
  }

  /** Waits for every chunk in order; false when one stopped the window. */
  async drain(): Promise<boolean> {
    while (this.queue.length > 0) if (!(await this.settleOldest())) return false
    return true
  }

  private async settleOldest(): Promise<boolean> {
    const oldest = this.queue.shift()
    if (!oldest) return true
    const ok = await oldest.after(await oldest.result)
    if (!ok) this.queue.length = 0
    return ok
  }
}
