import type { IpcRouter } from '../ipc/router'
import { cacheKey } from '../images/fetcher'
import { flushSignatures, thumbSignature, wireSignature } from '../images/thumb-signatures'
import { mapLimit } from '../map-limit'
import type { MainServices } from '../services'

export function addImageHandlers(router: IpcRouter, services: MainServices): void {
  const { prefetch, fetcher, monitor } = services
  router.addHandler('images.prefetch', (input) => prefetch.run(input))
  router.addHandler('images.cancelPrefetch', ({ taskId }) => ({
    cancelled: prefetch.cancel(taskId)
  }))
  router.addHandler('images.collectSignatures', (job) => prefetch.collectSignatures(job))
  router.addHandler('images.present', ({ sampleIds, ...job }) => {
    const missing = sampleIds.filter(
      (sampleId) => !fetcher.cache.has(cacheKey({ ...job, sampleId }))
    )
    return { present: sampleIds.length - missing.length, missing }
  })
  // Thumbnails cached before their signatures came with the download: read from the cache,
  // then signed together (the signature thread takes them in batches).
  router.addHandler('images.signatures', async ({ sampleIds, ...job }) => {
    const cached = await mapLimit(sampleIds, 4, (sampleId) =>
      fetcher.cache.get(cacheKey({ ...job, sampleId, variant: 'thumb' }))
    )
    const answers = sampleIds.map(async (sampleId, i) => {
      const bytes = cached[i]?.bytes
      if (!bytes) return { sampleId, error: 'the thumbnail is not in the image cache' }
      try {
        return { sampleId, signature: wireSignature(await thumbSignature(bytes)) }
      } catch (error) {
        return { sampleId, error: `the thumbnail could not be read: ${String(error)}` }
      }
    })
    flushSignatures()
    return Promise.all(answers)
  })
  router.addHandler('images.cacheInfo', () => fetcher.cache.info())
  router.addHandler('connectivity.get', () => monitor.all())
}
