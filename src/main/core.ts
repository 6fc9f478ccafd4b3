import { IpcRouter } from './ipc/router'
import { EventHub } from './ipc/events'
import { addAppHandlers } from './handlers/app'
import type { MainContext, Locale } from './context'

export interface CoreOptions {
  version: string
  shell: 'electron' | 'browser'
  userDataDir: string
  trustedOrigin: (origin: string) => boolean
  locale?: Locale
  demoFile?: string | null
}

/** An image answer, transport-neutral: Electron wraps it in a Response, the bridge writes it. */
export interface ImageReply {
  status: number
  contentType: string
  body: Buffer | string
  headers?: Record<string, string>
}

export interface MainCore {
  router: IpcRouter
  events: EventHub
  context: MainContext
  /** Answers `<connection>/<job>/<sample>/<variant>` from the disk cache or the service. */
  serveImage(path: string): Promise<ImageReply>
  close(): Promise<void>
}

/** The main process without Electron: every handler, wired to the host's adapters. */
export async function createMainCore(options: CoreOptions): Promise<MainCore> {
  const events = new EventHub()
  const context: MainContext = {
    version: options.version,
    shell: options.shell,
    userDataDir: options.userDataDir,
    events,
    locale: options.locale ?? 'en',
    demoFile: options.demoFile ?? null
  }
  const router = new IpcRouter(options.trustedOrigin)
  addAppHandlers(router, context)
  return {
    router,
    events,
    context,
    async serveImage() {
      return { status: 404, contentType: 'text/plain', body: 'No image source yet' }
    },
    async close() {}
  }
}
