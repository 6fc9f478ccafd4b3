import { Dexie, liveQuery } from 'dexie'
import type { DeleteOutcome } from '../../../shared/domain'
import { TagdeckError } from '../../../shared/errors'
import type { JobKey, OutboxRow, SyncStateRow, TagdeckDb } from './db'
import { touchJob } from './db'
import type { OfflineContext } from './context'
import { backoffDelay, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff'
import { describe } from './errors'
import { doneRows, rebaseJob, writeScope } from './listing'

/**
 * Drains the outbox. One runner across windows: whoever holds the Web Lock `lockName` sends,
 * the others wait for the lock (and take over when that window closes). Rows go out in
 * batches of at most `batchSize` ids of one job, oldest first, only for connections main
 * reports online. Delivery is at least once; since deleting a deleted sample answers `gone`
 * (done), a re-send after a crash changes nothing on the service.
 */

export interface SyncEngineOptions {
  batchSize: number
  backoff: BackoffPolicy
  lockName: string
  /** Longest idle sleep between checks, in case a wake-up was missed. */
  idleCheckMs: number
}

export const DEFAULT_SYNC_OPTIONS: SyncEngineOptions = {
  batchSize: 100,
  backoff: DEFAULT_BACKOFF,
  lockName: 'tagdeck-outbox-sync',
  idleCheckMs: 60_000
}

export interface DrainReport {
  batches: number
  /** Rows confirmed (deleted, or already gone). */
  done: number
  failed: number
  /** Rows put back for a later attempt. */
  retried: number
  /** Rows paused because the service refused our credentials. */
  paused: number
}

interface Batch extends JobKey {
  rows: OutboxRow[]
}

type Failure = 'auth' | 'retry' | 'fail'

function classify(error: unknown): Failure {
  if (!(error instanceof TagdeckError)) return 'retry'
  if (error.code === 'auth') return 'auth'
  if (error.service?.httpStatus === 401 || error.service?.httpStatus === 403) return 'auth'
  if (error.code === 'network' || error.code === 'offline' || error.code === 'internal')
    return 'retry'
  if (error.service?.retryable) return 'retry'
  return 'fail'
}

/** Per-item codes that mean the sample is no longer there: as good as deleted. */
const isGone = (o: DeleteOutcome) =>
  o.status === 'deleted' || o.status === 'gone' || o.code === 'ModelArts.4420'

const SYNC_KEY = 'engine'
const blankState = (): SyncStateRow => ({
  key: SYNC_KEY,
  lastSyncAt: null,
  lastError: null,
  progress: null
})

export class SyncEngine {
  readonly options: SyncEngineOptions
  private readonly db: TagdeckDb
  private abort: AbortController | null = null
  private wakeUp = new AbortController()
  private running: Promise<void> | null = null
  private leading = false
  /** Per connection: consecutive whole-call failures and when to try again. */
  private readonly blocked = new Map<string, { failures: number; until: number }>()
  private readonly unsubscribe: (() => void)[] = []

  constructor(
    private readonly ctx: OfflineContext,
    options: Partial<SyncEngineOptions> = {}
  ) {
    this.options = { ...DEFAULT_SYNC_OPTIONS, ...options }
    this.options.batchSize = Math.max(1, Math.min(100, this.options.batchSize))
    this.db = ctx.db
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
        void this.dueNow(c.connectionId).then(() => this.wake())
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
    await this.running?.catch(() => undefined)
    this.abort = null
    this.running = null
  }

  /** Look at the outbox now (something was queued, retried or resumed). */
  wake(): void {
    this.wakeUp.abort()
  }

  private async lead(signal: AbortSignal): Promise<void> {
    this.leading = true
    // Queued in any window: wake the runner (liveQuery follows other windows' writes).
    const queued = liveQuery(() =>
      this.db.outbox
        .where('[status+createdAt]')
        .between(['queued', Dexie.minKey], ['queued', Dexie.maxKey])
        .count()
    ).subscribe({ next: () => this.wake(), error: () => undefined })
    try {
      await this.recover()
      while (!signal.aborted) {
        if (this.wakeUp.signal.aborted) this.wakeUp = new AbortController()
        try {
          await this.drain(signal)
        } catch (error) {
          // The database itself failed (quota, a closed connection): note it, try again later.
          await this.note(error).catch(() => undefined)
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
      this.leading = false
    }
  }

  /**
   * After a crash or a closed window: rows left `sending` go back to the queue (re-sent at
   * once; a deleted sample comes back `gone`), confirmed rows are folded into the cache.
   */
  async recover(): Promise<number> {
    const db = this.db
    const now = this.ctx.clock.now()
    const jobs = await db.transaction('rw', writeScope(db), async () => {
      const stuck = await db.outbox
        .where('[status+createdAt]')
        .between(['sending', Dexie.minKey], ['sending', Dexie.maxKey])
        .toArray()
      await db.outbox.bulkPut(
        stuck.map((r) => ({ ...r, status: 'queued' as const, nextAttemptAt: now, updatedAt: now }))
      )
      for (const job of uniqueJobs(stuck)) await touchJob(db, job, { generation: true })
      const state = (await db.syncState.get(SYNC_KEY)) ?? blankState()
      await db.syncState.put({ ...state, progress: null })
      const done = await db.outbox
        .where('[status+createdAt]')
        .between(['done', Dexie.minKey], ['done', Dexie.maxKey])
        .toArray()
      return { stuck: stuck.length, done: uniqueJobs(done) }
    })
    for (const job of jobs.done) await this.rebase(job)
    return jobs.stuck
  }

  /** Sends every due row of every online connection, batch by batch. */
  async drain(signal?: AbortSignal): Promise<DrainReport> {
    const report: DrainReport = { batches: 0, done: 0, failed: 0, retried: 0, paused: 0 }
    const touched = new Map<string, JobKey>()
    let total = await this.countDue()
    let sent = 0
    try {
      while (!signal?.aborted) {
        const batch = await this.pickBatch(sent, total)
        if (!batch) break
        touched.set(`${batch.connectionId}/${batch.jobId}`, batch)
        report.batches += 1
        let outcomes: DeleteOutcome[]
        try {
          outcomes = await this.ctx.transport('samples.delete', {
            connectionId: batch.connectionId,
            jobId: batch.jobId,
            sampleIds: batch.rows.map((r) => r.sampleId)
          })
        } catch (error) {
          const { kind, rows } = await this.failBatch(batch, error)
          report[kind === 'auth' ? 'paused' : kind === 'retry' ? 'retried' : 'failed'] += rows
          continue
        }
        const counts = await this.settle(batch, outcomes)
        report.done += counts.done
        report.failed += counts.failed
        report.retried += counts.retried
        sent += batch.rows.length
        total = Math.max(total, sent)
      }
    } finally {
      for (const job of touched.values()) await this.rebase(job)
      await this.db.transaction('rw', this.db.syncState, async () => {
        const state = (await this.db.syncState.get(SYNC_KEY)) ?? blankState()
        await this.db.syncState.put({ ...state, progress: null })
      })
    }
    return report
  }

  private isBlocked(connectionId: string, now: number): boolean {
    const b = this.blocked.get(connectionId)
    return b !== undefined && b.until > now
  }

  private sendable(row: OutboxRow, now: number, paused: Set<string>): boolean {
    return (
      row.nextAttemptAt <= now &&
      !paused.has(row.connectionId) &&
      this.ctx.connectivity.isOnline(row.connectionId) &&
      !this.isBlocked(row.connectionId, now)
    )
  }

  private async countDue(): Promise<number> {
    const now = this.ctx.clock.now()
    const paused = new Set((await this.db.pauses.toArray()).map((p) => p.connectionId))
    return this.db.outbox
      .where('[status+createdAt]')
      .between(['queued', Dexie.minKey], ['queued', Dexie.maxKey])
      .filter((r) => this.sendable(r, now, paused))
      .count()
  }

  /** Milliseconds until some queued row of an online connection is due. */
  private async nextDueIn(): Promise<number> {
    const now = this.ctx.clock.now()
    let next = Number.POSITIVE_INFINITY
    await this.db.outbox
      .where('[status+createdAt]')
      .between(['queued', Dexie.minKey], ['queued', Dexie.maxKey])
      .each((r) => {
        if (!this.ctx.connectivity.isOnline(r.connectionId)) return
        const blockedUntil = this.blocked.get(r.connectionId)?.until ?? 0
        next = Math.min(next, Math.max(r.nextAttemptAt, blockedUntil))
      })
    return Math.max(0, next - now)
  }

  /** The oldest due rows of one job, marked `sending` in the same transaction. */
  private async pickBatch(sent: number, total: number): Promise<Batch | null> {
    const db = this.db
    return db.transaction('rw', [db.outbox, db.jobs, db.pauses, db.syncState], async () => {
      const now = this.ctx.clock.now()
      const paused = new Set((await db.pauses.toArray()).map((p) => p.connectionId))
      const first = await db.outbox
        .where('[status+createdAt]')
        .between(['queued', Dexie.minKey], ['queued', Dexie.maxKey])
        .filter((r) => this.sendable(r, now, paused))
        .first()
      if (!first) return null
      const rows = await db.outbox
        .where('[connectionId+jobId+status+createdAt]')
        .between(
          [first.connectionId, first.jobId, 'queued', Dexie.minKey],
          [first.connectionId, first.jobId, 'queued', Dexie.maxKey]
        )
        .filter((r) => r.nextAttemptAt <= now)
        .limit(this.options.batchSize)
        .toArray()
      const sending = rows.map((r) => ({
        ...r,
        status: 'sending' as const,
        attempts: r.attempts + 1,
        updatedAt: now
      }))
      await db.outbox.bulkPut(sending)
      await touchJob(db, first, { generation: true })
      const state = (await db.syncState.get(SYNC_KEY)) ?? blankState()
      await db.syncState.put({
        ...state,
        progress: {
          done: sent,
          total: Math.max(total, sent + rows.length),
          startedAt: state.progress?.startedAt ?? now
        }
      })
      return { connectionId: first.connectionId, jobId: first.jobId, rows: sending }
    })
  }

  /** Applies per-item outcomes: confirmed -> done, refused -> failed, missing -> retried. */
  private async settle(batch: Batch, outcomes: DeleteOutcome[]) {
    const db = this.db
    const counts = { done: 0, failed: 0, retried: 0 }
    const byId = new Map(outcomes.map((o) => [o.id, o]))
    this.blocked.delete(batch.connectionId)
    await db.transaction('rw', writeScope(db), async () => {
      const now = this.ctx.clock.now()
      const rows = batch.rows.map((row): OutboxRow => {
        const outcome = byId.get(row.sampleId)
        if (outcome && isGone(outcome)) {
          counts.done += 1
          return { ...row, status: 'done', updatedAt: now, lastError: null }
        }
        if (outcome) {
          counts.failed += 1
          const error = {
            code: outcome.code ?? 'service',
            message: outcome.message ?? 'The service did not delete this image'
          }
          return { ...row, status: 'failed', updatedAt: now, lastError: error }
        }
        counts.retried += 1
        const nextAttemptAt =
          now + backoffDelay(row.attempts, this.ctx.random, this.options.backoff)
        return { ...row, status: 'queued', nextAttemptAt, updatedAt: now }
      })
      await db.outbox.bulkPut(rows)
      await touchJob(db, batch, { generation: true })
      const firstError = rows.find((r) => r.status === 'failed')?.lastError ?? null
      const state = (await db.syncState.get(SYNC_KEY)) ?? blankState()
      await db.syncState.put({
        ...state,
        lastSyncAt: counts.done > 0 ? now : state.lastSyncAt,
        lastError: firstError ? { ...firstError, at: now } : null,
        progress: state.progress && {
          ...state.progress,
          done: state.progress.done + batch.rows.length
        }
      })
    })
    return counts
  }

  /** A whole call failed: pause (auth), back off (network, 429, 5xx) or mark failed. */
  private async failBatch(batch: Batch, error: unknown): Promise<{ kind: Failure; rows: number }> {
    const db = this.db
    const kind = classify(error)
    const reason = describe(error)
    const count = await db.transaction('rw', writeScope(db), async () => {
      const now = this.ctx.clock.now()
      let rows: OutboxRow[]
      if (kind === 'auth') {
        const message = 'Sign in again: the service refused our credentials'
        await db.pauses.put({
          connectionId: batch.connectionId,
          reason: 'auth',
          message,
          since: now
        })
        const waiting = await db.outbox
          .where('[connectionId+status]')
          .equals([batch.connectionId, 'queued'])
          .toArray()
        rows = [...batch.rows, ...waiting].map((r) => ({
          ...r,
          status: 'paused',
          updatedAt: now,
          lastError: reason
        }))
      } else if (kind === 'retry') {
        const b = this.blocked.get(batch.connectionId) ?? { failures: 0, until: 0 }
        b.failures += 1
        b.until = now + backoffDelay(b.failures, this.ctx.random, this.options.backoff)
        this.blocked.set(batch.connectionId, b)
        rows = batch.rows.map((r) => ({
          ...r,
          status: 'queued',
          nextAttemptAt: now + backoffDelay(r.attempts, this.ctx.random, this.options.backoff),
          updatedAt: now,
          lastError: reason
        }))
      } else {
        rows = batch.rows.map((r) => ({
          ...r,
          status: 'failed',
          updatedAt: now,
          lastError: reason
        }))
      }
      await db.outbox.bulkPut(rows)
      await touchJob(db, batch, { generation: true })
      const state = (await db.syncState.get(SYNC_KEY)) ?? blankState()
      await db.syncState.put({ ...state, lastError: { ...reason, at: now } })
      return rows.length
    })
    return { kind, rows: count }
  }

  private async note(error: unknown): Promise<void> {
    const db = this.db
    await db.transaction('rw', db.syncState, async () => {
      const state = (await db.syncState.get(SYNC_KEY)) ?? blankState()
      await db.syncState.put({
        ...state,
        lastError: { ...describe(error), at: this.ctx.clock.now() }
      })
    })
  }

  /** Confirmed deletions of a job leave the outbox and the cached pages shift up. */
  private async rebase(job: JobKey): Promise<void> {
    const db = this.db
    await db.transaction('rw', writeScope(db), async () => {
      if ((await doneRows(db, job)).length > 0) await rebaseJob(db, job, this.ctx.clock.now())
    })
  }

  /** Back online: rows of the connection waiting out a backoff are due now. */
  private async dueNow(connectionId: string): Promise<void> {
    const now = this.ctx.clock.now()
    await this.db.outbox
      .where('[connectionId+status]')
      .equals([connectionId, 'queued'])
      .modify((r) => {
        if (r.nextAttemptAt > now) r.nextAttemptAt = now
      })
  }
}

function uniqueJobs(rows: readonly OutboxRow[]): JobKey[] {
  const jobs = new Map<string, JobKey>()
  for (const r of rows)
    jobs.set(`${r.connectionId}/${r.jobId}`, { connectionId: r.connectionId, jobId: r.jobId })
  return [...jobs.values()]
}
