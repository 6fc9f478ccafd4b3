import { HttpClient } from '../api/http'
import { ImageCache } from './cache'
import { ImageFetcher } from './fetcher'
import { PrefetchTasks } from './prefetch'

/**
 * For `durability.test.ts`: a main process in miniature. Downloads `count` thumbnails from
 * `base` into the cache in `dir` through the real fetcher and prefetch, prints the answer as
 * one JSON line, then idles until the test kills it (SIGKILL: nothing is closed or flushed).
 * Usage: node --import tsx crash-child.fixture.ts <dir> <base> <count>
 */
async function main(): Promise<void> {
  const [dir, base, count] = process.argv.slice(2)
  if (!dir || !base || !count) throw new Error('usage: crash-child <dir> <base> <count>')
  const cache = await ImageCache.open(dir, { capBytes: 1 << 30 })
  const fetcher = new ImageFetcher({
    cache,
    httpFor: () => new HttpClient(),
    resolve: async (ref) => new URL(`/img/${ref.sampleId}`, base)
  })
  const prefetch = new PrefetchTasks(fetcher, () => {})
  const sampleIds = Array.from({ length: Number(count) }, (_, i) => `s${i}`)
  const answer = await prefetch.run({
    taskId: 'crash',
    connectionId: 'c',
    jobId: 'j',
    variant: 'thumb',
    sampleIds
  })
  process.stdout.write(`${JSON.stringify(answer)}\n`)
  // Kept alive (and its cache open) until killed.
  setInterval(() => {}, 60_000)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
