import { call } from '../platform'
import { createRendererLog } from './forward'

export type { RendererLog } from './forward'

/** The renderer's log: `log.warn('the thumbnail did not load', error)`. See forward.ts. */
export const log = createRendererLog((line) => call('app.log', line))

/** What nothing else caught: uncaught errors and unhandled rejections of the page. */
export function logUncaught(target: Window): void {
  target.addEventListener('error', (event) =>
    // The browser's message already reads "Uncaught Error: ...".
    log.error(event.message || 'an uncaught error', event.error)
  )
  target.addEventListener('unhandledrejection', (event) =>
    log.error('an unhandled rejection', event.reason)
  )
}
