import { IpcRouter } from './ipc/router'
import { EventHub } from './ipc/events'
import { addAppHandlers } from './handlers/app'
import { addConnectionHandlers } from './handlers/connections'
import { addImageHandlers } from './handlers/images'
import { addJobHandlers } from './handlers/jobs'
import { serveImage } from './images/serve'
import { createServices, type MainServices, type ServiceOptions } from './services'
import type { MainContext, Locale } from './context'
import { logsDirOf } from './log/host'
import { log } from './log'
import { addUpdateHandlers } from './handlers/updates'
import type { UpdaterAdapter } from './updater/adapter'
import { createUpdateController } from './updater/create'
import type { UpdateController } from './updater/controller'

export interface CoreOptions extends ServiceOptions {
  version: string
  shell: 'electron' | 'browser'
  userDataDir: string
  trustedOrigin: (origin: string) => boolean
  locale?: Locale
  demoFile?: string | null
  /** Where the host writes its log (default `<userDataDir>/logs`). */
  logsDir?: string
  /** Electron's shell.openPath, through src/main/electron/folders.ts. */
  openFolder?: (dir: string) => Promise<boolean>
  /** A packaged build with a release feed: its updater (electron-updater). Absent: no updates. */
  updater?: { feed: boolean; adapter: () => UpdaterAdapter }
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
  services: MainServices
  updates: UpdateController
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
    pendingDeletions: 0,
    syncing: false,
    outboxReported: false,
    demoFile: options.demoFile ?? null,
    logsDir: options.logsDir ?? logsDirOf(options.userDataDir),
    openFolder: options.openFolder
  }
  const services = await createServices(context, options)
  const router = new IpcRouter(options.trustedOrigin)
  addAppHandlers(router, context)
  addConnectionHandlers(router, context, services)
  addJobHandlers(router, services)
  addImageHandlers(router, services)
  const updates = createUpdateController({
    feed: options.updater?.feed ?? false,
    adapter: options.updater?.adapter,
    activity: () => ({
      reported: context.outboxReported,
      pendingDeletions: context.pendingDeletions,
      syncing: context.syncing
    }),
    emit: (state) => events.emit('updates.state', state),
    log: log.child('updates')
  })
  context.onOutboxReport = () => updates.activityChanged()
  addUpdateHandlers(router, updates)
  const missing = router.missing()
  if (missing.length > 0) throw new Error(`IPC channels without a handler: ${missing.join(', ')}`)
  let closing: Promise<void> | null = null
  return {
    router,
    events,
    context,
    services,
    updates,
    serveImage: (path) => serveImage(services.fetcher, path),
    close() {
      updates.close()
      closing ??= services.close()
      return closing
    }
  }
}
