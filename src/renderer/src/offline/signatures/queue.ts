import type { JobKey, TagdeckDb } from '../store/db'
import type { ThumbHasher } from './hasher'
import { logFailure } from '../log'
import { jobSignatures, packOf } from './packs'

/**
 * Near-duplicate signatures a job still lacks: "Make available offline" stores each chunk's
 * with the chunk (main works them out as it caches the thumbnails, `downloads/download.ts`);
 * what that left out (thumbnails cached before, a chunk cut short, a thumbnail main could not
 * read) is queued by `fill` when the groups are asked for. One batch at a time goes to the
 * hasher (main, reading its cache: `hasher.ts`) and its answers into one pack row (as a
 * download's chunk: `packs.ts`; a row per signature cost the page and IndexedDB several times as
 * much while the reviewer worked), but only while no download runs in the window (`waitWhile`;
 * `wake` when one ends) and the reviewer is still (`untilQuiet`: it tries again once they have
 * been), to keep out of their way on two cores. What it stored is remembered per job, so a fill
 * (asked for with every grouping) leaves those out without reading the job's signatures. The
 * queue is bounded: past `MAX_WAITING` ids the oldest batches are dropped, with a log line, and
 * the next `fill` picks them up. Thumbnails that could not be read are logged, a line per batch,
 * and asked for again by the next `fill`.
 */

const MAX_WAITING = 20_000
/** Ids per call to the hasher: a download's chunk (two pages). */
const BATCH = 200

interface Batch {
  job: JobKey
  ids: string[]
}

const key = (job: JobKey) => `${job.connectionId}/${job.jobId}`

export class SignatureQueue {
  private readonly waiting: Batch[] = []
  private waitingIds = 0
  private running: Promise<void> | null = null
  /** The batch with the hasher now. */
  private current: Batch | null = null
  /** Jobs forgotten while a batch of theirs was with the hasher: its answers are dropped. */
  private readonly forgotten = new Set<string>()
  /** Ids whose signatures this queue stored, by job. */
  private readonly stored = new Map<string, Set<string>>()
  /** The next try, set for when the reviewer will have been still. */
  private timer: ReturnType<typeof setTimeout> | null = null

  constructor(
    private readonly db: TagdeckDb,
    private readonly hash: ThumbHasher,
    /** While this holds, batches wait (a download runs); call `wake` when it stops holding. */
    private readonly waitWhile: () => boolean = () => false,
    /** Ms until the reviewer is still (0: now): batches wait that long, then go on by themselves. */
    private readonly untilQuiet: () => number = () => 0
  ) {}

  /** Batches may go now; if only the reviewer holds them, they go on once the reviewer is still. */
  private mayGo(): boolean {
    if (this.waitWhile()) return false
    const wait = this.untilQuiet()
    if (wait <= 0) return true
    this.timer ??= setTimeout(() => {
      this.timer = null
      this.wake()
    }, wait)
    return false
  }

  /** Queues these thumbnails' signatures (fire and forget: never waits for the hasher). */
  add(job: JobKey, sampleIds: readonly string[]): void {
    this.forgotten.delete(key(job))
    for (let i = 0; i < sampleIds.length; i += BATCH) {
      const ids = sampleIds.slice(i, i + BATCH)
      this.waiting.push({ job, ids })
      this.waitingIds += ids.length
    }
    let dropped = 0
    while (this.waitingIds > MAX_WAITING) {
      const oldest = this.waiting.shift()
      if (!oldest) break
      this.waitingIds -= oldest.ids.length
      dropped += oldest.ids.length
    }
    if (dropped > 0)
      logFailure('near-duplicate signatures fell behind the download')(
        new Error(`${dropped} thumbnails left for later (the groups fill them in)`)
      )
    this.wake()
  }

  /** Goes on with the waiting batches, unless told to wait. */
  wake(): void {
    if (this.waiting.length === 0 || !this.mayGo()) return
    this.running ??= this.drain().finally(() => (this.running = null))
  }

  /**
   * Queues the signatures the job lacks among `sampleIds`, as many as the bound leaves room
   * for; resolves with how many. The rest wait for a later fill: queued past the bound, they
   * would push out those waiting (and be said lost) every time the groups are asked for, which
   * at 100,000 images lacking is every step of the viewer. With no room, nothing is read.
   */
  async fill(job: JobKey, sampleIds: readonly string[]): Promise<number> {
    if (this.waitingIds >= MAX_WAITING) return 0
    const have = this.stored.get(key(job))
    const batches = this.current ? [this.current, ...this.waiting] : this.waiting
    const queued = new Set(batches.filter((b) => key(b.job) === key(job)).flatMap((b) => b.ids))
    const lacking = sampleIds.filter((id) => !have?.has(id) && !queued.has(id))
    const taken = lacking.slice(0, Math.max(0, MAX_WAITING - this.waitingIds))
    if (taken.length > 0) this.add(job, taken)
    return taken.length
  }

  /** The job's signatures, by sample id (null: a flat image). */
  async known(job: JobKey): Promise<Map<string, Float32Array | null>> {
    const rows = await jobSignatures(this.db, job).toArray()
    return new Map(rows.map((r) => [r.sampleId, r.signature]))
  }

  /** Resolves when nothing is with the hasher (and nothing waits, unless told to wait). */
  async idle(): Promise<void> {
    while (this.running) await this.running
  }

  /** The job is no longer offline: its waiting batches and its signatures go. */
  async forget(job: JobKey): Promise<void> {
    const k = key(job)
    this.forgotten.add(k)
    this.stored.delete(k)
    for (let i = this.waiting.length - 1; i >= 0; i--)
      if (key(this.waiting[i]?.job ?? job) === k) {
        this.waitingIds -= this.waiting[i]?.ids.length ?? 0
        this.waiting.splice(i, 1)
      }
    await jobSignatures(this.db, job).delete()
  }

  private async drain(): Promise<void> {
    for (
      let batch = this.mayGo() ? this.waiting.shift() : undefined;
      batch;
      batch = this.mayGo() ? this.waiting.shift() : undefined
    ) {
      this.waitingIds -= batch.ids.length
      this.current = batch
      await this.run(batch).catch(logFailure('near-duplicate signatures could not be stored'))
      this.current = null
    }
  }

  private async run({ job, ids }: Batch): Promise<void> {
    const answers = await this.hash(job, ids)
    if (this.forgotten.has(key(job))) return
    const made: { sampleId: string; signature: Float32Array | null }[] = []
    const failed: string[] = []
    for (const a of answers)
      if ('error' in a) failed.push(`${a.sampleId}: ${a.error}`)
      else made.push(a)
    if (failed.length > 0)
      logFailure('thumbnails could not be read for their near-duplicate signatures')(
        new Error(`${failed.length} of ${ids.length}, first ${failed[0]}`)
      )
    if (made.length === 0) return
    await this.db.signaturePacks.put(packOf(job, made))
    // Unless the job was forgotten meanwhile (its signatures deleted).
    if (this.forgotten.has(key(job))) return
    const stored = this.stored.get(key(job)) ?? new Set<string>()
    this.stored.set(key(job), stored)
    for (const m of made) stored.add(m.sampleId)
  }
}

/** A job's signatures (both tables): see `packs.ts`. */
export { jobSignatures } from './packs'
