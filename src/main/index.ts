import { app, BrowserWindow, dialog, net, shell, type WebContents } from 'electron'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { createMainCore } from './core'
import { bindEventsToWindows, bindIpcMain } from './electron/ipc'
import { handleAppScheme, handleImageScheme, registerSchemes } from './electron/protocol'
import { createSafeStorageCipher } from './electron/secrets'
import { applySessionPolicy, createMainWindow } from './electron/window'
import { applyWebContentsPolicy } from './electron/web-contents'
import { applyMenu, confirmCloseWithPending } from './electron/menu'
import { openFolder } from './electron/folders'
import { createElectronUpdater } from './electron/updater'
import { hasReleaseFeed } from './updater/feed'
import { log } from './log'
import { startMainLog } from './log/host'
import type { FileLogger } from './log/logger'
import { mainLocaleFrom } from './i18n'
import { launchOverrides } from './security/dev-overrides'
import { APP_ORIGIN, makeOriginCheck } from './security/trusted-url'

// The Electron host: adapters around the same core the browser shell runs.
registerSchemes()

const overrides = launchOverrides(process.env, app.isPackaged)
const devUrl = overrides.rendererUrl
const isTrustedOrigin = makeOriginCheck(devUrl ? [APP_ORIGIN, devUrl] : [APP_ORIGIN])
if (overrides.userDataDir) app.setPath('userData', overrides.userDataDir)
const userDataDir = app.getPath('userData')

if (!app.requestSingleInstanceLock()) app.quit()

let logger: FileLogger | null = null

async function start(): Promise<void> {
  logger = await startMainLog({ userDataDir, name: 'main', rejections: true })
  log.info(`Tagdeck ${app.getVersion()} starting (electron ${process.versions.electron})`)
  for (const name of overrides.ignored) log.warn(`${name} is ignored in a packaged build`)
  await app.whenReady()
  const core = await createMainCore({
    version: app.getVersion(),
    shell: 'electron',
    userDataDir,
    demoFile: overrides.demoFile,
    trustedOrigin: isTrustedOrigin,
    locale: mainLocaleFrom(app.getLocale()),
    cipher: createSafeStorageCipher(),
    isOnline: () => net.isOnline(),
    net: overrides.regionEndpoint ? { regionEndpoint: overrides.regionEndpoint } : undefined,
    openFolder,
    // Only a packaged build made with a `publish` feed checks (and only with the setting on).
    updater: {
      feed: hasReleaseFeed({
        isPackaged: app.isPackaged,
        resourcesPath: process.resourcesPath,
        exists: existsSync
      }),
      adapter: createElectronUpdater
    }
  })
  applySessionPolicy(isTrustedOrigin)
  // Before the first window: every webContents is guarded from its creation.
  applyWebContentsPolicy<WebContents, BrowserWindow>({
    app,
    dialog,
    shell,
    windows: BrowserWindow,
    isTrustedOrigin,
    locale: () => core.context.locale
  })
  applyMenu(core.context.locale, core.context.version, app.isPackaged)
  core.context.onLocaleChange = (locale) => applyMenu(locale, core.context.version, app.isPackaged)
  handleAppScheme(path.join(__dirname, '../renderer'))
  handleImageScheme(async (pathname) => {
    const reply = await core.serveImage(pathname)
    return new Response(reply.body, {
      status: reply.status,
      headers: { 'Content-Type': reply.contentType, ...reply.headers }
    })
  })
  bindIpcMain(core.router)
  bindEventsToWindows(core.events)

  const open = () => {
    const win = createMainWindow({
      preloadPath: path.join(__dirname, '../preload/index.cjs'),
      startUrl: devUrl ?? `${APP_ORIGIN}/index.html`,
      iconPath: path.join(__dirname, '../../resources/icon.png'),
      isPackaged: app.isPackaged
    })
    win.on('close', (event) => {
      if (!confirmCloseWithPending(win, core.context.locale, core.context.pendingDeletions))
        event.preventDefault()
    })
    return win
  }
  open()
  app.on('second-instance', () => BrowserWindow.getAllWindows()[0]?.focus())
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) open()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('will-quit', () => {
    logger?.flushSync()
    void core.close()
  })
}

start().catch((error: unknown) => {
  log.error('Tagdeck failed to start', error)
  logger?.flushSync()
  app.exit(1)
})
