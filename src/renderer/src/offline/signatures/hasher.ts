import type { JobKey } from '../store/db'

/**
 * Works out the signatures of cached thumbnails off the UI thread (`runtime.ts` gives the
 * app's, a Web Worker; tests give their own). Resolves with one answer per sample; a thumbnail
 * that could not be read is an answer with its reason, not a rejection of the batch.
 */
export type ThumbHasher = (job: JobKey, sampleIds: readonly string[]) => Promise<ThumbAnswer[]>

export type ThumbAnswer =
  { sampleId: string; signature: Float32Array | null } | { sampleId: string; error: string }

/** A request to the worker: the thumbnails' URLs. */
export interface HashRequest {
  id: number
  items: { sampleId: string; url: string }[]
}

/** The worker's answer to one request. */
export interface HashResponse {
  id: number
  answers: ThumbAnswer[]
}

/**
 * The app's hasher: one module worker (`signature.worker.ts`) fetching each thumbnail from
 * `urlOf` (main's image cache) and shrinking it there; started on first use.
 */
export function workerHasher(
  urlOf: (job: JobKey, sampleId: string) => string,
  start: () => Worker = () =>
    new Worker(new URL('./signature.worker.ts', import.meta.url), { type: 'module' })
): ThumbHasher {
  let worker: Worker | null = null
  let seq = 0
  /** Per request: its answer's resolve, and its ids (to answer for them if the worker dies). */
  const waiting = new Map<number, (answers: ThumbAnswer[]) => void>()
  const requests = new Map<number, string[]>()
  const failAll = (message: string) => {
    for (const [id, resolve] of waiting)
      resolve((requests.get(id) ?? []).map((sampleId) => ({ sampleId, error: message })))
  }
  const ensure = (): Worker => {
    if (worker) return worker
    const started = start()
    started.onmessage = (event: MessageEvent<HashResponse>) => {
      const { id, answers } = event.data
      requests.delete(id)
      waiting.get(id)?.(answers)
      waiting.delete(id)
    }
    started.onerror = (event) => {
      // The worker is gone (it failed to load, or threw): every batch waiting says so.
      failAll(`the signature worker failed: ${event.message}`)
      waiting.clear()
      requests.clear()
      worker = null
    }
    worker = started
    return started
  }
  return (job, sampleIds) =>
    new Promise((resolve) => {
      const id = ++seq
      // Absolute: the worker resolves a relative URL against its own script's, not the page's.
      const items = sampleIds.map((sampleId) => ({
        sampleId,
        url: new URL(urlOf(job, sampleId), location.href).href
      }))
      requests.set(id, [...sampleIds])
      waiting.set(id, resolve)
      const request: HashRequest = { id, items }
      ensure().postMessage(request)
    })
}
