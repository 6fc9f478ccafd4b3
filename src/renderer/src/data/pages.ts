import type { Sample, SamplePage } from '../../../shared/domain'
import { call } from '../platform'
import type { JobRef, PageRef } from './types'

/** One page of a filter (the grid's only read of samples). */
export function readPage(ref: PageRef): Promise<SamplePage> {
  return call('samples.page', ref)
}

/** One image's tags, boxes and size, fresh (the viewer). */
export function readSample(job: JobRef, sampleId: string): Promise<Sample> {
  return call('samples.get', { ...job, sampleId })
}

/**
 * Every sample id of a filter ("select all"), a few pages at a time, reporting progress.
 * Stops early (returning what it has) when `signal` aborts.
 */
export async function collectSampleIds(
  job: JobRef,
  filter: PageRef['filter'],
  onProgress: (done: number, total: number) => void,
  signal?: AbortSignal
): Promise<string[]> {
  const perPage = 100
  const first = await readPage({ ...job, filter, page: 1, perPage })
  const ids: string[][] = [first.samples.map((s) => s.id)]
  const pages = Math.ceil(first.total / perPage)
  let done = first.samples.length
  onProgress(done, first.total)
  let next = 2
  const worker = async () => {
    while (next <= pages && !signal?.aborted) {
      const page = next++
      const result = await readPage({ ...job, filter, page, perPage })
      ids[page - 1] = result.samples.map((s) => s.id)
      done += result.samples.length
      onProgress(done, first.total)
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()])
  return [...new Set(ids.flat())]
}
