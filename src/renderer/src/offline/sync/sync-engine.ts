import { Dexie, liveQuery } from 'dexie'
import type { JobKey, TagdeckDb } from '../store/db'
import type { OfflineContext } from '../context'
import { backoffDelay, type BackoffPolicy } from '../../../../shared/backoff'
import { writeScope } from '../hiding/listing'
import { countDue, newCursor, nextAttemptAt, type PickCursor, type Ready } from './sync-pick'
import {
  classify,
  dueNow,
  finishProgress,
  newProgress,
  failBatch,
  noteError,
  pickBatches,
  rebaseIfDone,
  releaseBatches,
  releaseStuck,
  settleBatches,
  startProgress,
  type Answered,
  type Batch,
  type BatchDeps,
  type Progress
} from './sync-batches'
import { logFailure } from '../log'
import {
  editsDueNow,
  failEdits,
  findEditFloor,
  floorAt,
  nextEditDue,
  noEditCounts,
  pickEdits,
  recoverEdits,
  requeueEdits,
  foldAnswers,
  recordAnswers,
  sendEdits,
  type AnsweredEdits,
  type EditBatch,
  type EditCounts,
  type EditFloor
} from './sync-edits'

/** Batches of review edits out at once (each up to 100 reads and one write in main). */
export const EDIT_CONCURRENCY = 4
/** Answered batches of review edits recorded together at most (see `drainEdits`). */
const RECORD_GROUP = 2 * EDIT_CONCURRENCY
/** The longest an answered batch waits for others to be recorded with. */
const RECORD_WAIT_MS = 500

/**
 * Drains the outbox. One runner across windows: whoever holds the Web Lock `lockName` sends,
 * the others wait for the lock (and take over when that window closes). Groups go out in
 * batches of at most `OUTBOX_GROUP` (100) samples of one job, oldest due first, for connections main
 * reports online (or has not reported on yet: a failed attempt only backs off; main's
 * `offline` stops sending until it says `online` again). `concurrency` requests are out at
 * once, and the bookkeeping runs beside them (see `drain`). Delivery is at least once; since
 * deleting a deleted sample answers `gone` (done), a re-send after a crash changes nothing on
 * the service.
 */

export interface SyncEngineOptions {
  /**
   * Requests out at once. 8: the service always has the next request waiting while the page
   * and main do their share (a 10,000-sample drain on the 2-core bench machine: 1.95-2.2 s,
   * against 2.17-2.45 s with 4). Throttling (429) backs the whole connection off.
   */
  concurrency: number
  backoff: BackoffPolicy
  lockName: string
  /** Longest idle sleep between checks, in case a wake-up was missed. */
  idleCheckMs: number
  /**
   * Answered batches of review edits a drain lets wait for their fold at most: past that it
   * folds them while it goes on (see `drainEdits`).
   */
  foldEvery: number
}

export const DEFAULT_SYNC_OPTIONS: SyncEngineOptions = {
  concurrency: 8,
  // A failed send is tried again 2 s, 4 s ... up to five minutes later.
  backoff: { baseMs: 2_000, maxMs: 5 * 60_000 },
  lockName: 'tagdeck-outbox-sync',
  idleCheckMs: 60_000,
  // 3,200 edits: so the panel and the counts follow a long sync, and a short one folds once.
  foldEvery: 8 * EDIT_CONCURRENCY
}

/** What came back for a batch: the service's outcomes, or why the call failed. */
type Answer = Answered | { batch: Batch; error: unknown }

export interface DrainReport {
  batches: number
  /** Samples confirmed (deleted, or already gone). */
  done: number
  failed: number
  /** Samples put back for a later attempt. */
  retried: number
  /** Samples paused because the service refused our credentials. */
  paused: number
}

export class SyncEngine {
  readonly options: SyncEngineOptions
  private readonly db: TagdeckDb
  private readonly deps: BatchDeps
  private abort: AbortController | null = null
  private wakeUp = new AbortController()
  private running: Promise<void> | null = null
  private leading = false
  /** Per connection: consecutive whole-call failures and when to try again. */
  private readonly blocked = new Map<string, { failures: number; until: number }>()
  private readonly unsubscribe: (() => void)[] = []
  /** Jobs whose confirmed deletions are not yet folded into their cached pages. */
  private readonly unfolded = new Map<string, JobKey>()
  /** Review edits' answers recorded by a drain and not folded yet (`foldEdits`). */
  private readonly unfoldedEdits: AnsweredEdits[] = []
  /** Where reads of queued edits start, found after each fold (`findEditFloor`); null: none. */
  private editFloor: EditFloor | null = null
  /** Answers written per transaction while sending, and batches picked ahead: half of
   * `concurrency`. */
  private readonly group: number

  constructor(
    private readonly ctx: OfflineContext,
    options: Partial<SyncEngineOptions> = {}
  ) {
    this.options = { ...DEFAULT_SYNC_OPTIONS, ...options }
    this.options.concurrency = Math.max(1, Math.floor(this.options.concurrency))
    this.group = Math.ceil(this.options.concurrency / 2)
    this.db = ctx.db
    this.deps = { db: ctx.db, clock: ctx.clock, random: ctx.random, backoff: this.options.backoff }
  }

  /** True while this window holds the lock and drains. */
  get isLeader(): boolean {
    return this.leading
  }

  /** Joins the race for the lock; the winner drains until `stop()`. */
  start(): void {
    if (this.abort) return
    const abort = new AbortController()
    this.abort = abort
    this.unsubscribe.push(
      this.ctx.connectivity.subscribe((c) => {
        if (c.state !== 'online' || !this.leading) return
        this.blocked.delete(c.connectionId)
        const now = this.ctx.clock.now()
        void Promise.all([
          dueNow(this.db, c.connectionId, now),
          editsDueNow(this.db, this.ctx.clock, c.connectionId)
        ]).then(() => this.wake(), logFailure('queued changes could not be made due'))
      })
    )
    this.running = this.ctx.locks(this.options.lockName, abort.signal, () =>
      this.lead(abort.signal)
    )
  }

  async stop(): Promise<void> {
    this.abort?.abort()
    this.wake()
    for (const off of this.unsubscribe.splice(0)) off()
    await this.running?.catch(logFailure('the sync runner stopped on an error'))
    this.abort = null
    this.running = null
  }

  /** Look at the outbox now (something was queued, retried or resumed). */
  wake(): void {
    this.wakeUp.abort()
  }

  private async lead(signal: AbortSignal): Promise<void> {
    this.leading = true
    // Queued in any window: wake the runner (liveQuery follows other windows' writes). Any
    // write to queued groups re-runs it, so it reads one key from the newest end: counting, or
    // reading from the oldest end past groups just deleted, would cost ~30 ms at 10,000 rows.
    const queued = liveQuery(() =>
      this.db.outbox
        .where('[status+createdAt]')
        .between(['queued', Dexie.minKey], ['queued', Dexie.maxKey])
        .reverse()
        .limit(1)
        .primaryKeys()
    ).subscribe({
      next: () => this.wake(),
      error: logFailure('the sync runner no longer hears of new deletions')
    })
    // Review edits alike: any write to queued ones (the newest due key) wakes it.
    const edits = liveQuery(() =>
      this.db.edits
        .where('[status+nextAttemptAt]')
        .between(['queued', Dexie.minKey], ['queued', Dexie.maxKey])
        .reverse()
        .limit(1)
        .primaryKeys()
    ).subscribe({
      next: () => this.wake(),
      error: logFailure('the sync runner no longer hears of new review edits')
    })
    try {
      await this.recover()
      while (!signal.aborted) {
        if (this.wakeUp.signal.aborted) this.wakeUp = new AbortController()
        try {
          // Side by side: a deletion and an edit of one image may cross (the edit then
          // answers `gone`, done), and neither kind waits for the other's calls.
          const drained = await Promise.allSettled([this.drain(signal), this.drainEdits(signal)])
          for (const d of drained) if (d.status === 'rejected') throw d.reason
          await this.foldDeletions()
          await this.foldEdits()
        } catch (error) {
          // The database itself failed (quota, a closed connection): note it, try again later.
          await noteError(this.db, error, this.ctx.clock.now()).catch(
            logFailure('a sync failure could not be noted')
          )
          await this.ctx.clock.sleep(this.options.backoff.baseMs, signal)
          continue
        }
        if (signal.aborted) break
        if (this.wakeUp.signal.aborted) continue
        const wait = Math.min(this.options.idleCheckMs, await this.nextDueIn())
        await this.ctx.clock.sleep(wait, AbortSignal.any([signal, this.wakeUp.signal]))
      }
    } finally {
      queued.unsubscribe()
      edits.unsubscribe()
      this.leading = false
    }
  }

  /**
   * After a crash or a closed window: batches left in flight are dropped, so their groups are
   * sent again (a deleted sample comes back `gone`), and settled samples are folded into the
   * cache, as are review edits answered before it (`foldEdits`). Only the lock holder sends, so
   * any batch in flight it finds is an orphan.
   */
  async recover(): Promise<number> {
    await recoverEdits(this.db)
    await this.foldEdits()
    const { stuck, settledJobs } = await releaseStuck(this.db)
    for (const job of settledJobs) await rebaseIfDone(this.db, job, this.ctx.clock.now())
    return stuck
  }

  /**
   * Sends every due group of every reachable connection, batch by batch, `concurrency` requests
   * at a time. Bookkeeping is group committed: one transaction writes the answers that came in
   * meanwhile (`group` of them, or the last ones) and picks their successors with one read.
   * The successors are picked ahead (recorded in flight, not yet sent), so when an answer comes
   * the next request goes out at once, without waiting for any transaction.
   */
  async drain(signal?: AbortSignal): Promise<DrainReport> {
    // Confirmed deletions are folded into the cached pages afterwards (`foldDeletions`).
    const report: DrainReport = { batches: 0, done: 0, failed: 0, retried: 0, paused: 0 }
    const touched = new Map<string, JobKey>()
    const progress = newProgress(await countDue(this.db, this.ctx.clock.now(), this.ready))
    if (progress.total > 0) await startProgress(this.db, progress, this.ctx.clock.now())
    const cursor = newCursor()
    const { concurrency } = this.options
    const answers: Answer[] = []
    const ahead: Batch[] = []
    let waiting = 0
    let arrived: (() => void) | null = null
    let more = true
    // Connections whose call failed as a whole in this drain: what was picked ahead for them
    // is not sent, but put back (with the next transaction).
    const halted = new Set<string>()
    const unsent: Batch[] = []
    const ready: Ready = (connectionId, now, paused) =>
      !halted.has(connectionId) && this.ready(connectionId, now, paused)
    const launch = () => {
      while (waiting < concurrency && ahead.length > 0 && !signal?.aborted) {
        const batch = ahead.shift() as Batch
        if (halted.has(batch.connectionId)) {
          unsent.push(batch)
          continue
        }
        waiting += 1
        void this.request(batch).then((answer) => {
          waiting -= 1
          if ('error' in answer && classify(answer.error) !== 'fail') halted.add(batch.connectionId)
          answers.push(answer)
          launch()
          arrived?.()
          arrived = null
        })
      }
    }
    try {
      for (;;) {
        const open = more && !signal?.aborted
        if (!open && waiting === 0 && answers.length === 0) break
        if (answers.length < this.group && waiting > 0) {
          await new Promise<void>((resolve) => (arrived = resolve))
          continue
        }
        const want = open ? Math.max(0, concurrency + this.group - waiting - ahead.length) : 0
        const taken = answers.splice(0)
        const picked = await this.turn(
          taken,
          unsent.splice(0),
          want,
          cursor,
          ready,
          report,
          progress
        )
        if (picked.length < want) more = false
        for (const batch of picked) {
          touched.set(`${batch.connectionId}/${batch.jobId}`, batch)
          report.batches += 1
        }
        ahead.push(...picked)
        launch()
      }
    } finally {
      // Stopped with batches picked ahead: they were never sent.
      const never = [...ahead.splice(0), ...unsent.splice(0)]
      if (never.length > 0)
        await this.db.transaction('rw', this.db.inflight, () => this.putBack(never, report))
      for (const [key, job] of touched) this.unfolded.set(key, job)
      await finishProgress(this.db, progress)
    }
    return report
  }

  /**
   * Sends every due review edit of every reachable connection: `EDIT_CONCURRENCY` senders, each
   * taking the next batch as soon as its last is answered. Batches are picked (marked `sending`)
   * ahead, several in one transaction, while others go out, and answers are stored beside the
   * calls, to be folded after them (see sync-edits.ts).
   */
  async drainEdits(signal?: AbortSignal): Promise<EditCounts> {
    const counts = noEditCounts()
    const ahead: EditBatch[] = []
    // Connections whose call failed as a whole in this drain: their batches picked ahead are
    // put back unsent, to wait for what the failure said (a backoff, a sign-in).
    const halted = new Set<string>()
    const unsent: EditBatch[] = []
    let more = true
    let picking: Promise<void> | null = null
    // Answers are recorded apart from the senders, which go on to their next batch at once, and
    // several in one transaction: once `RECORD_GROUP` have come, once no call is out, or once
    // the oldest has waited `RECORD_WAIT_MS`; one transaction takes every answer that came in
    // meanwhile. Folding them (deleting the done edits, rewriting the pages holding their
    // images) waits for the runner's `foldEdits` after the drain, or for `foldEvery` of them.
    const answered: AnsweredEdits[] = []
    let recording = Promise.resolve()
    let failure: { error: unknown } | null = null
    let calls = 0
    let timer: unknown = null
    const recordAnswered = async () => {
      if (answered.length === 0) return
      const recorded = answered.splice(0)
      const counted = await recordAnswers(this.db, recorded)
      for (const key of Object.keys(counts) as (keyof EditCounts)[]) counts[key] += counted[key]
      this.unfoldedEdits.push(...recorded)
      if (this.unfoldedEdits.length >= this.options.foldEvery) await this.foldEdits()
    }
    const recordNow = () => {
      if (timer !== null) this.ctx.clock.clearTimeout(timer)
      timer = null
      // A failed write is kept and thrown once the senders stop (as the runner's own error).
      recording = recording.then(recordAnswered).catch((error: unknown) => {
        failure ??= { error }
      })
    }
    const answer = (answeredBatch: AnsweredEdits) => {
      answered.push(answeredBatch)
      if (answered.length >= RECORD_GROUP || calls === 0) return recordNow()
      timer ??= this.ctx.clock.setTimeout(recordNow, RECORD_WAIT_MS)
    }
    // Picks the next batches while others go out: the first pick two per sender (nothing is in
    // flight yet, so it is one read of the oldest due edits; a pick with edits in flight reads
    // their keys and then each edit by key, which the calls just sent would wait behind), later
    // ones one per sender, as soon as fewer than that wait, so a sender rarely waits.
    let picks = 0
    const refill = (): Promise<void> | null => {
      if (picking || !more || signal?.aborted || ahead.length >= EDIT_CONCURRENCY) return picking
      const count = picks++ === 0 ? 2 * EDIT_CONCURRENCY : EDIT_CONCURRENCY
      const now = this.ctx.clock.now()
      picking = pickEdits(this.db, now, this.ready, count, floorAt(this.editFloor, now))
        .then((picked) => {
          ahead.push(...picked.batches)
          more = picked.more
        })
        .catch((error: unknown) => {
          failure ??= { error }
          more = false
        })
        .finally(() => (picking = null))
      return picking
    }
    const next = async (): Promise<EditBatch | undefined> => {
      while (ahead.length === 0 && more && !signal?.aborted) await refill()
      const batch = signal?.aborted ? undefined : ahead.shift()
      void refill()
      return batch
    }
    const sender = async () => {
      for (let batch = await next(); batch; batch = await next()) {
        if (halted.has(batch.connectionId)) {
          unsent.push(batch)
          continue
        }
        let outcomes
        calls += 1
        try {
          outcomes = await sendEdits(this.ctx.transport, batch)
        } catch (error) {
          calls -= 1
          const { kind, rows } = await failEdits(this.deps, batch, error)
          if (kind !== 'fail') halted.add(batch.connectionId)
          if (kind === 'retry') this.block(batch.connectionId)
          counts[kind === 'auth' ? 'paused' : kind === 'retry' ? 'retried' : 'failed'] += rows
          continue
        }
        calls -= 1
        this.blocked.delete(batch.connectionId)
        answer({ batch, outcomes })
      }
    }
    await Promise.all(Array.from({ length: EDIT_CONCURRENCY }, sender))
    await picking
    recordNow()
    await recording
    // Picked but not sent (aborted, or their connection halted): queued again as they were.
    unsent.push(...ahead.splice(0))
    if (unsent.length > 0) await requeueEdits(this.db, unsent)
    if (failure) throw (failure as { error: unknown }).error
    return counts
  }

  /**
   * Folds the deletions confirmed by earlier drains into their jobs' cached pages, which shift
   * up (`rebaseJob`, rewriting each page after the first deleted sample). Until then they are
   * hidden from every read as settled, and a read of the job folds them itself; so the runner
   * does it after sending, not while the calls wait. Returns the jobs folded.
   */
  async foldDeletions(): Promise<number> {
    const jobs = [...this.unfolded.values()]
    this.unfolded.clear()
    for (const job of jobs) await rebaseIfDone(this.db, job, this.ctx.clock.now())
    return jobs.length
  }

  /**
   * Folds the review edits' answers recorded by drains (or by a runner that died) into the
   * outbox and the cached pages (`foldAnswers`): until then their edits read as `sending`. The
   * runner does it after sending, as it folds deletions, and then finds where the next reads of
   * queued edits may start (`findEditFloor`). Returns the edits folded.
   */
  async foldEdits(): Promise<number> {
    const folded = await foldAnswers(this.deps, this.unfoldedEdits.splice(0))
    this.editFloor = await findEditFloor(this.db, this.ctx.clock)
    return folded
  }

  /** One batch's request; its answer or its failure, never a rejection. */
  private async request(batch: Batch): Promise<Answer> {
    try {
      const outcomes = await this.ctx.transport('samples.delete', {
        connectionId: batch.connectionId,
        jobId: batch.jobId,
        sampleIds: batch.sampleIds
      })
      return { batch, outcomes }
    } catch (error) {
      return { batch, error }
    }
  }

  /** One transaction: the answers in, batches never sent put back, up to `want` picked. */
  private turn(
    answers: Answer[],
    unsent: Batch[],
    want: number,
    cursor: PickCursor,
    ready: Ready,
    report: DrainReport,
    progress: Progress
  ): Promise<Batch[]> {
    return this.db.transaction('rw', writeScope(this.db), async () => {
      // First, so a connection paused below takes their groups along.
      await this.putBack(unsent, report)
      const delivered = answers.filter((a): a is Answered => 'outcomes' in a)
      if (delivered.length > 0) {
        for (const { batch } of delivered) this.blocked.delete(batch.connectionId)
        const counts = await settleBatches(this.deps, delivered, progress)
        report.done += counts.done
        report.failed += counts.failed
        report.retried += counts.retried
        for (const { batch } of delivered) progress.sent += batch.sampleIds.length
      }
      for (const answer of answers) {
        if (!('error' in answer)) continue
        const { batch } = answer
        const { kind, rows } = await failBatch(this.deps, batch, answer.error, progress)
        if (kind === 'retry') this.block(batch.connectionId)
        report[kind === 'auth' ? 'paused' : kind === 'retry' ? 'retried' : 'failed'] += rows
        progress.sent += batch.sampleIds.length
      }
      progress.total = Math.max(progress.total, progress.sent)
      if (want === 0) return []
      return pickBatches(this.deps, want, ready, cursor)
    })
  }

  /** Batches picked but never sent: their groups are queued again, and they were not sent. */
  private async putBack(batches: Batch[], report: DrainReport): Promise<void> {
    if (batches.length === 0) return
    await releaseBatches(this.db, batches)
    report.batches -= batches.length
  }

  /** The connection failed as a whole: leave it alone for a growing, jittered while. */
  private block(connectionId: string) {
    const b = this.blocked.get(connectionId) ?? { failures: 0, until: 0 }
    b.failures += 1
    b.until = this.ctx.clock.now() + backoffDelay(b.failures, this.ctx.random, this.options.backoff)
    this.blocked.set(connectionId, b)
  }

  private readonly ready: Ready = (connectionId: string, now: number, paused: Set<string>) => {
    const blocked = this.blocked.get(connectionId)
    return (
      !paused.has(connectionId) &&
      this.ctx.connectivity.mayTry(connectionId) &&
      !(blocked !== undefined && blocked.until > now)
    )
  }

  /** Milliseconds until some queued group of a reachable connection is due. */
  private async nextDueIn(): Promise<number> {
    const now = this.ctx.clock.now()
    const notBefore = (connectionId: string) =>
      this.ctx.connectivity.mayTry(connectionId)
        ? (this.blocked.get(connectionId)?.until ?? 0)
        : null
    const [next, edit] = await Promise.all([
      nextAttemptAt(this.db, notBefore),
      nextEditDue(this.db, notBefore, floorAt(this.editFloor, now))
    ])
    return Math.max(0, Math.min(next, edit) - now)
  }
}
