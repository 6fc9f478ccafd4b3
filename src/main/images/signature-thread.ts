import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import path from 'node:path'
import { Worker } from 'node:worker_threads'
import { signatureOf } from '../../shared/thumb-signature'
import { log } from '../log'
import { jpegCellMeans } from './jpeg-cells'

/**
 * Reads thumbnails' DC coefficients into signatures on a thread of their own
 * (`signature-worker.ts`), so main's event loop, which answers the window's calls, never
 * decodes (0.1-0.2 ms a thumbnail, 20-40 ms a chunk of 200). The thread runs at normal priority:
 * a chunk's answer waits for its signatures, and at the lowest priority (tried: nice 19 on
 * Linux) a busy machine may starve the thread, holding the download's progress back. The
 * thread starts at the first thumbnail and does not keep the process alive while nothing waits
 * for it; if it cannot start or dies, main reads the signatures on its own thread, and that is
 * logged.
 */

export type SignatureRequest = { id: number; bytes: Uint8Array }

export type SignatureReply =
  | { kind: 'signed'; id: number; signature: Float32Array | null }
  /** Not a baseline JPEG: decode it some other way. */
  | { kind: 'unread'; id: number }
  | { kind: 'failed'; id: number; message: string }

/** A thumbnail's signature, null for a flat image, or `unread` (not a baseline JPEG). */
export type CellsSignature = Float32Array | null | 'unread'

type Waiting = {
  bytes: Uint8Array
  resolve: (s: CellsSignature) => void
  reject: (e: Error) => void
}

/** Where the worker's code is: built beside main's bundle, or the TypeScript source under tsx. */
function workerEntry(): { file: string; execArgv?: string[] } {
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

export class SignatureThread {
  private worker: Worker | null = null
  private readonly waiting = new Map<number, Waiting>()
  private nextId = 1
  /** Set once the thread could not start or died: signatures are read in main's thread. */
  private broken = false

  constructor(private readonly entry = workerEntry) {}

  read(bytes: Uint8Array): Promise<CellsSignature> {
    const worker = this.started()
    if (!worker) return Promise.resolve().then(() => readHere(bytes))
    const id = this.nextId++
    return new Promise<CellsSignature>((resolve, reject) => {
      // Kept until answered: if the thread dies first, main reads them.
      this.waiting.set(id, { bytes, resolve, reject })
      if (this.waiting.size === 1) worker.ref()
      worker.postMessage({ id, bytes } satisfies SignatureRequest)
    })
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
      const { file, execArgv } = this.entry()
      const worker = new Worker(file, { execArgv })
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
    const waiting = this.waiting.get(reply.id)
    if (!waiting) return
    this.waiting.delete(reply.id)
    if (this.waiting.size === 0) this.worker?.unref()
    if (reply.kind === 'failed') waiting.reject(new Error(reply.message))
    else waiting.resolve(reply.kind === 'unread' ? 'unread' : reply.signature)
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
    const left = [...this.waiting.values()]
    this.waiting.clear()
    for (const w of left) {
      try {
        w.resolve(readHere(w.bytes))
      } catch (error) {
        w.reject(error instanceof Error ? error : new Error(String(error)))
      }
    }
  }
}
