import { describe, expect, it, vi } from 'vitest'
import { workerHasher, type HashRequest, type HashResponse } from './hasher'

const job = { connectionId: 'c1', jobId: 'j1' }

/** A stand-in for the signature worker: answers each request, or dies. */
class FakeWorker {
  onmessage: ((event: MessageEvent<HashResponse>) => void) | null = null
  onerror: ((event: ErrorEvent) => void) | null = null
  readonly seen: HashRequest[] = []
  constructor(private readonly dies = false) {}
  postMessage(request: HashRequest) {
    this.seen.push(request)
    setTimeout(() => {
      if (this.dies) this.onerror?.({ message: 'boom' } as ErrorEvent)
      else
        this.onmessage?.({
          data: {
            id: request.id,
            answers: request.items.map((i) => ({ sampleId: i.sampleId, signature: null }))
          }
        } as MessageEvent<HashResponse>)
    }, 0)
  }
}

describe('the worker hasher', () => {
  it('starts one worker, sends it absolute thumbnail URLs and answers each batch', async () => {
    vi.stubGlobal('location', { href: 'http://127.0.0.1:5000/app/' })
    const worker = new FakeWorker()
    const start = vi.fn(() => worker as unknown as Worker)
    const hash = workerHasher((j, id) => `/img/${j.jobId}/${id}/thumb?t=1`, start)
    const [a, b] = await Promise.all([hash(job, ['s1']), hash(job, ['s2', 's3'])])
    expect(a).toEqual([{ sampleId: 's1', signature: null }])
    expect(b?.map((x) => x.sampleId)).toEqual(['s2', 's3'])
    expect(start).toHaveBeenCalledTimes(1)
    expect(worker.seen[0]?.items).toEqual([
      { sampleId: 's1', url: 'http://127.0.0.1:5000/img/j1/s1/thumb?t=1' }
    ])
    vi.unstubAllGlobals()
  })

  it('answers every waiting sample with the reason when the worker dies, and starts another next time', async () => {
    vi.stubGlobal('location', { href: 'http://127.0.0.1:5000/' })
    const workers = [new FakeWorker(true), new FakeWorker()]
    const start = vi.fn(() => workers.shift() as unknown as Worker)
    const hash = workerHasher((_, id) => `/img/${id}`, start)
    expect(await hash(job, ['s1', 's2'])).toEqual([
      { sampleId: 's1', error: 'the signature worker failed: boom' },
      { sampleId: 's2', error: 'the signature worker failed: boom' }
    ])
    expect(await hash(job, ['s3'])).toEqual([{ sampleId: 's3', signature: null }])
    expect(start).toHaveBeenCalledTimes(2)
    vi.unstubAllGlobals()
  })
})
