import { logFailure } from '../log'
import type { Findings, FindingsRequest, FindingsResponse } from './findings'
import { buffersOf } from './problem-input'

const startWorker = () =>
  new Worker(new URL('./findings.worker.ts', import.meta.url), { type: 'module' })

/**
 * The app's findings: one module worker (`findings.worker.ts`), started on first use. Answers
 * are matched to their requests by id. If the worker fails, the requests waiting fail with the
 * reason (logged here too), and the next request starts a new worker.
 */
export function workerFindings(start: () => Worker = startWorker): Findings {
  let worker: Worker | null = null
  let seq = 0
  const waiting = new Map<
    number,
    { resolve: (response: FindingsResponse) => void; reject: (error: Error) => void }
  >()
  const fail = (failed: Worker, error: Error) => {
    logFailure('the problem finder stopped')(error)
    for (const wait of waiting.values()) wait.reject(error)
    waiting.clear()
    failed.terminate()
    if (worker === failed) worker = null
  }
  const ensure = (): Worker => {
    if (worker) return worker
    const started = start()
    started.onmessage = (event: MessageEvent<FindingsResponse>) => {
      const response = event.data
      const wait = waiting.get(response.id)
      waiting.delete(response.id)
      if (response.kind === 'error')
        wait?.reject(new Error(`The problem finder failed: ${response.message}`))
      else wait?.resolve(response)
    }
    started.onerror = (event) =>
      fail(started, new Error(`The problem finder's worker failed: ${event.message}`))
    started.onmessageerror = () =>
      fail(started, new Error("The problem finder's answer could not be read"))
    worker = started
    return started
  }
  const ask = (request: FindingsRequest, transfer: Transferable[]) =>
    new Promise<FindingsResponse>((resolve, reject) => {
      waiting.set(request.id, { resolve, reject })
      ensure().postMessage(request, transfer)
    })
  return {
    async problems(input, settings) {
      const response = await ask({ id: ++seq, kind: 'problems', input, settings }, buffersOf(input))
      if (response.kind !== 'problems') throw new Error('The problem finder answered out of turn')
      return response.flags
    },
    async groups(signatures, keys) {
      const buffers = [signatures.buffer, ...(keys ? [keys.buffer] : [])] as ArrayBuffer[]
      const response = await ask({ id: ++seq, kind: 'groups', signatures, keys }, buffers)
      if (response.kind !== 'groups') throw new Error('The problem finder answered out of turn')
      return response.groups
    }
  }
}
