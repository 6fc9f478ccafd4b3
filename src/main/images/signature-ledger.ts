import { log } from '../log'
import { flushSignatures, hurrySignatures, packedSignatures } from './thumb-signatures'

/**
 * Near-duplicate signatures a job's download asked for, held by job until the renderer takes
 * them, so that no chunk of the download waits for the signature thread. A chunk's answer takes
 * every signature of its job worked out by then (its own, and those of earlier chunks that came
 * in late: `take`), and the download, once its thumbnails are in, takes the rest, waiting for
 * the last of them (`collect`). Before, each chunk's answer waited for its own signatures, and
 * with two chunks in flight the download's pipeline stalled on the thread every chunk.
 *
 * Held signatures are small (48 floats); past `MAX_HELD` across jobs (a download stopped and
 * never resumed, its late signatures never taken), the job holding the oldest is dropped with a
 * log line: its thumbnails are in the disk cache, and the renderer's fill reads them again
 * (`images.signatures`). Thumbnails that could not be read are logged, one line per take.
 */

export interface Signed {
  sampleId: string
  /** Null: a flat image. */
  signature: Float32Array | null
}

/** Signatures in one answer at most: 1,000 are 256 KB of base64, under the shell's 1 MiB frame. */
export const MAX_ANSWERED = 1_000
/** Signatures held across jobs at most (about 200 bytes each). */
export const MAX_HELD = 200_000

interface Held {
  done: Signed[]
  pending: Set<Promise<void>>
  unreadable: string[]
}

export class SignatureLedger {
  /** By job key, oldest first (a Map keeps insertion order). */
  private readonly jobs = new Map<string, Held>()
  private held = 0

  constructor(private readonly maxHeld = MAX_HELD) {}

  /** A thumbnail's signature being worked out (`work`), to be taken with its job's. */
  add(job: JobRef, sampleId: string, work: Promise<Float32Array | null>): void {
    const held = this.heldFor(job)
    const pending = work.then(
      (signature) => {
        held.done.push({ sampleId, signature })
        this.held += 1
        this.bound()
      },
      (error: unknown) =>
        void held.unreadable.push(
          `${sampleId}: ${error instanceof Error ? error.message : String(error)}`
        )
    )
    held.pending.add(pending)
    void pending.finally(() => held.pending.delete(pending))
  }

  /** The job's signatures worked out so far (at most `max`), packed; they leave the ledger. */
  take(job: JobRef, max = MAX_ANSWERED): { sampleIds: string[]; values: string } {
    // Thumbnails asked for and not yet sent to the thread go now.
    flushSignatures()
    const held = this.jobs.get(keyOf(job))
    if (!held) return packedSignatures([])
    const taken = held.done.splice(0, max)
    this.held -= taken.length
    if (held.unreadable.length > 0) {
      const [first] = held.unreadable
      log.warn(
        `near-duplicate signatures: ${held.unreadable.length} thumbnails of ${job.jobId} could not be read, first ${first}`
      )
      held.unreadable = []
    }
    if (held.done.length === 0 && held.pending.size === 0) this.jobs.delete(keyOf(job))
    return packedSignatures(taken)
  }

  /**
   * Every signature of the job still being worked out, once it is (at most `max`, `more` saying
   * whether others wait to be taken).
   */
  async collect(
    job: JobRef,
    max = MAX_ANSWERED
  ): Promise<{ signatures: { sampleIds: string[]; values: string }; more: boolean }> {
    hurrySignatures()
    const held = this.jobs.get(keyOf(job))
    while (held && held.pending.size > 0) await Promise.all([...held.pending])
    const signatures = this.take(job, max)
    return { signatures, more: (this.jobs.get(keyOf(job))?.done.length ?? 0) > 0 }
  }

  /** Signatures held now, across jobs. */
  get size(): number {
    return this.held
  }

  private heldFor(job: JobRef): Held {
    const key = keyOf(job)
    let held = this.jobs.get(key)
    if (!held) {
      held = { done: [], pending: new Set(), unreadable: [] }
      this.jobs.set(key, held)
    }
    return held
  }

  /** Past the bound: the oldest job's signatures go (its thumbnails stay in the disk cache). */
  private bound(): void {
    for (const [key, held] of this.jobs) {
      if (this.held <= this.maxHeld) return
      if (held.done.length === 0) continue
      log.warn(
        `near-duplicate signatures: ${held.done.length} of ${key} dropped, not taken (over ${this.maxHeld} held); they will be read again from the image cache`
      )
      this.held -= held.done.length
      held.done = []
      if (held.pending.size === 0) this.jobs.delete(key)
    }
  }
}

export interface JobRef {
  connectionId: string
  jobId: string
}

const keyOf = (job: JobRef) => `${job.connectionId}/${job.jobId}`
