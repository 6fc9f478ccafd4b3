import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { SIGNATURE_LENGTH, signatureOf } from '../../shared/thumb-signature'
import { log } from '../log'
import { ReadKind, type SignatureReply, type SignatureRequest } from './signature-messages'
import { jpegCellMeans } from './jpeg-cells'

/**
 * Reads thumbnails' DC coefficients into signatures on a thread of their own
 * (`signature-worker.ts`), so main's event loop, which answers the window's calls, never
 * decodes (0.07-0.12 ms a thumbnail, 15-25 ms a chunk of 200). On Linux the thread runs at
 * idle priority (`lowerPriority` in the worker): no chunk waits for it, so it takes only the CPU
 * the download leaves idle. The thread starts at the first thumbnail and does not keep the
 * process alive while nothing waits for it; if it cannot start or dies, main reads the
 * signatures on its own thread, and that is logged.
 *
 * Thumbnails cross to the thread in batches, and their signatures come back as one array: a
 * message each way per thumbnail cost 50-120 µs of CPU a round trip (0.5-1.2 s per 10,000
 * thumbnails, against 0.03-0.05 s in batches of 100; batches of 10 still cost several times
 * that). A batch goes once `BATCH` wait, when the caller says it waits for them (`flush`: a
 * download's chunk is in), or `FLUSH_MS` after the first of it was asked for.
 *
 * At idle priority the thread may get no CPU at all while the machine is busy, so it holds at
 * most `POSTED` batches, and the rest wait in main (`ready`), where main reads them itself, a
 * batch a turn of its event loop: when someone waits for every signature asked for (`hurry`: a
 * download's last ones, while the thread reads its own), and when more than `MAX_READY_BYTES`
 * of thumbnails wait (a thread with no CPU, which would otherwise hold a whole job's).
 */

/** Thumbnails in one message to the thread at most. */
export const BATCH = 100
/** The longest a thumbnail waits for others to go with it, when no one flushes. */
const FLUSH_MS = 25
/** Batches with the thread at once: one it reads, one it reads next. */
const POSTED = 2
/** Thumbnails' bytes waiting in main for the thread, at most, before main reads some itself. */
export const MAX_READY_BYTES = 16 * 1024 * 1024

/** A thumbnail's signature, null for a flat image, or `unread` (not a baseline JPEG). */
export type CellsSignature = Float32Array | null | 'unread'

type Waiting = {
  bytes: Uint8Array
  resolve: (s: CellsSignature) => void
  reject: (e: Error) => void
}

/** How the thread starts: its code, and for tests, its environment. */
export type WorkerEntry = { file: string; execArgv?: string[]; env?: NodeJS.ProcessEnv }

/** Where the worker's code is: built beside main's bundle, or the TypeScript source under tsx. */
export function workerEntry(): WorkerEntry {
  const built = path.join(__dirname, 'signature-worker.js')
  if (existsSync(built)) return { file: built }
  // From source (the browser shell under tsx, vitest): tsx loads the worker's TypeScript.
  const tsx = createRequire(__filename).resolve('tsx/cjs')
  return { file: path.join(__dirname, 'signature-worker.ts'), execArgv: ['--require', tsx] }
}

/** In main's thread: the fallback when the signature thread cannot run. */
function readHere(bytes: Uint8Array): CellsSignature {
  const cells = jpegCellMeans(bytes)
  return cells ? signatureOf(cells) : 'unread'
}

/** Reads one on main, and answers it. */
function settleHere(w: Waiting): void {
  try {
    w.resolve(readHere(w.bytes))
  } catch (error) {
    w.reject(error instanceof Error ? error : new Error(String(error)))
  }
}

export class SignatureThread {
  private worker: Worker | null = null
  private readonly waiting = new Map<number, Waiting>()
  /** Asked for, not yet in a batch. */
  private queued: number[] = []
  private timer: NodeJS.Timeout | null = null
  private nextId = 1
  /** Batches made, not yet sent to the thread, oldest first, and their thumbnails' bytes. */
  private readonly ready: number[][] = []
  private readyBytes = 0
  /** Batches with the thread, not yet answered. */
  private posted = 0
  /** Main reads the ready batches, one a turn, until none is left. */
  private hurrying = false
  /** Main's next turn at reading a ready batch. */
  private mainTurn: NodeJS.Immediate | null = null
  /** Messages sent to the thread so far, and batches main read instead (tests count them). */
  batches = 0
  batchesReadOnMain = 0
  /** Set once the thread could not start or died: signatures are read in main's thread. */
  private broken = false

  constructor(
    private readonly entry: () => WorkerEntry = workerEntry,
    /** Bytes of thumbnails waiting for the thread before main reads some itself. */
    private readonly maxReadyBytes = MAX_READY_BYTES
  ) {}

  read(bytes: Uint8Array): Promise<CellsSignature> {
    const worker = this.started()
    if (!worker) return Promise.resolve().then(() => readHere(bytes))
    const id = this.nextId++
    return new Promise<CellsSignature>((resolve, reject) => {
      // Kept until answered: if the thread dies first, main reads them.
      this.waiting.set(id, { bytes, resolve, reject })
      this.queued.push(id)
      if (this.queued.length >= BATCH) this.flush()
      else this.timer ??= setTimeout(() => this.flush(), FLUSH_MS)
    })
  }

  /** Makes a batch of what was asked for, for the thread now (the caller waits for all of it). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (!this.worker || this.queued.length === 0) return
    const ids = this.queued.splice(0)
    this.ready.push(ids)
    this.readyBytes += this.bytesOf(ids)
    this.pump()
  }

  /**
   * Someone waits for every signature asked for so far: main reads the batches not yet with the
   * thread, while the thread reads its own (it may be getting no CPU).
   */
  hurry(): void {
    // `pump` ends the hurry once no batch is left ready.
    this.hurrying = true
    this.flush()
    this.pump()
  }

  /** Sends ready batches to the thread while it has room; has main read one when it must. */
  private pump(): void {
    const worker = this.worker
    while (worker && this.posted < POSTED) {
      const ids = this.ready.shift()
      if (!ids) break
      this.post(worker, ids)
    }
    if (this.ready.length === 0) this.hurrying = false
    else if (this.hurrying || this.readyBytes > this.maxReadyBytes)
      this.mainTurn ??= setImmediate(() => {
        this.mainTurn = null
        this.readOnMain()
      })
  }

  private post(worker: Worker, ids: number[]): void {
    // The thumbnails laid end to end in one buffer, moved to the thread (not copied): a
    // downloaded thumbnail is often a view of a 64 KB socket buffer, which a message would copy
    // whole.
    const views = ids.map((id) => this.waiting.get(id)?.bytes ?? new Uint8Array(0))
    const ends = new Uint32Array(views.length)
    let total = 0
    views.forEach((view, i) => (ends[i] = total += view.byteLength))
    const bytes = new Uint8Array(total)
    views.forEach((view, i) => bytes.set(view, (ends[i] as number) - view.byteLength))
    this.readyBytes -= total
    this.posted += 1
    worker.ref()
    this.batches += 1
    worker.postMessage({ ids, ends, bytes } satisfies SignatureRequest, [ends.buffer, bytes.buffer])
  }

  /** Main reads the oldest ready batch itself, then looks again. */
  private readOnMain(): void {
    const ids = this.ready.shift()
    if (ids) {
      this.readyBytes -= this.bytesOf(ids)
      this.batchesReadOnMain += 1
      for (const id of ids) {
        const waiting = this.claim(id)
        if (waiting) settleHere(waiting)
      }
      if (this.waiting.size === 0) this.worker?.unref()
    }
    this.pump()
  }

  /** A thumbnail still waiting for its signature, which whoever claims it now answers. */
  private claim(id: number): Waiting | undefined {
    const waiting = this.waiting.get(id)
    this.waiting.delete(id)
    return waiting
  }

  private bytesOf(ids: number[]): number {
    return ids.reduce((sum, id) => sum + (this.waiting.get(id)?.bytes.byteLength ?? 0), 0)
  }

  /** Stops the thread; what waits for it, and every signature after, is read on main. */
  async close(): Promise<void> {
    const worker = this.worker
    this.worker = null
    this.broken = true
    this.readWaitingHere()
    await worker?.terminate()
  }

  private started(): Worker | null {
    if (this.worker || this.broken) return this.worker
    try {
      const { file, execArgv, env } = this.entry()
      const worker = new Worker(file, { execArgv, ...(env ? { env } : {}) })
      worker.unref()
      worker.on('message', (reply: SignatureReply) => this.answer(reply))
      worker.on('error', (error) => this.fail(worker, error))
      worker.on('exit', (code) => this.fail(worker, new Error(`it exited (code ${code})`)))
      this.worker = worker
    } catch (error) {
      this.broken = true
      log.warn('the signature thread could not start: signatures are read on main', error)
    }
    return this.worker
  }

  private answer(reply: SignatureReply): void {
    if (reply.notice) log.warn(reply.notice)
    this.posted -= 1
    reply.ids.forEach((id, i) => {
      const waiting = this.claim(id)
      if (!waiting) return
      const kind = reply.kinds[i]
      if (kind === ReadKind.Failed) waiting.reject(new Error(reply.failures[id] ?? 'unreadable'))
      else if (kind === ReadKind.Unread) waiting.resolve('unread')
      else if (kind === ReadKind.Flat) waiting.resolve(null)
      else waiting.resolve(reply.values.slice(i * SIGNATURE_LENGTH, (i + 1) * SIGNATURE_LENGTH))
    })
    if (this.waiting.size === 0) this.worker?.unref()
    this.pump()
  }

  /** The thread is gone: main reads what waited for it, and every signature from now on. */
  private fail(worker: Worker, error: Error): void {
    if (this.worker !== worker) return
    this.worker = null
    this.broken = true
    log.warn('the signature thread stopped: signatures are read on main from now on', error)
    this.readWaitingHere()
  }

  private readWaitingHere(): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    if (this.mainTurn) clearImmediate(this.mainTurn)
    this.mainTurn = null
    this.queued = []
    this.ready.length = 0
    this.readyBytes = 0
    this.posted = 0
    const left = [...this.waiting.values()]
    this.waiting.clear()
    for (const w of left) settleHere(w)
  }
}
