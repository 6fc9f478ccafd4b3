import { app, BrowserWindow, net } from 'electron'
import path from 'node:path'
import { createMainCore } from './core'
import { bindEventsToWindows, bindIpcMain } from './electron/ipc'
import { handleAppScheme, handleImageScheme, registerSchemes } from './electron/protocol'
import { createSafeStorageCipher } from './electron/secrets'
import { applySessionPolicy, createMainWindow } from './electron/window'
import { applyMenu, confirmCloseWithPending } from './electron/menu'
import { mainLocaleFrom } from './i18n'
import { APP_ORIGIN, makeOriginCheck } from './security/trusted-url'

// The Electron host: adapters around the same core the browser shell runs.
registerSchemes()

const devUrl = !app.isPackaged ? process.env['ELECTRON_RENDERER_URL'] : undefined
const isTrustedOrigin = makeOriginCheck(devUrl ? [APP_ORIGIN, devUrl] : [APP_ORIGIN])
const userDataDir = process.env['TAGDECK_USER_DATA'] ?? app.getPath('userData')
if (process.env['TAGDECK_USER_DATA']) app.setPath('userData', userDataDir)

if (!app.requestSingleInstanceLock()) app.quit()

async function start(): Promise<void> {
  await app.whenReady()
  const core = await createMainCore({
    version: app.getVersion(),
    shell: 'electron',
    userDataDir,
    demoFile: process.env['TAGDECK_DEMO'] ?? null,
    trustedOrigin: isTrustedOrigin,
    locale: mainLocaleFrom(app.getLocale()),
    cipher: createSafeStorageCipher(),
    isOnline: () => net.isOnline()
  })
  applySessionPolicy(isTrustedOrigin)
  applyMenu(core.context.locale, core.context.version)
  core.context.onLocaleChange = (locale) => applyMenu(locale, core.context.version)
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
      isTrustedOrigin,
      iconPath: path.join(__dirname, '../../resources/icon.png')
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
  app.on('will-quit', () => void core.close())
}

start().catch((error: unknown) => {
  console.error('Tagdeck failed to start:', error)
  app.exit(1)
})
