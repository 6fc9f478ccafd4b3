import type { IpcRouter } from '../ipc/router'
import { cacheKey } from '../images/fetcher'
import type { MainServices } from '../services'

export function addImageHandlers(router: IpcRouter, services: MainServices): void {
  const { prefetch, fetcher, monitor } = services
  router.addHandler('images.prefetch', (input) => prefetch.run(input))
  router.addHandler('images.cancelPrefetch', ({ taskId }) => ({
    cancelled: prefetch.cancel(taskId)
  }))
  router.addHandler('images.present', ({ sampleIds, ...job }) => {
    const missing = sampleIds.filter(
      (sampleId) => !fetcher.cache.has(cacheKey({ ...job, sampleId }))
    )
    return { present: sampleIds.length - missing.length, missing }
  })
  router.addHandler('images.cacheInfo', () => fetcher.cache.info())
  router.addHandler('connectivity.get', () => monitor.all())
}
