import { BrowserWindow, session, shell, type WebContents } from 'electron'
import path from 'node:path'
import { isSafeExternalUrl } from '../security/trusted-url'
import { isPermissionAllowed } from '../security/permissions'

export interface WindowOptions {
  preloadPath: string
  startUrl: string
  isTrustedOrigin: (origin: string) => boolean
  iconPath?: string
}

/** No navigation away from the app; links the user clicks open in the OS browser when safe. */
function lockNavigation(contents: WebContents, trusted: (origin: string) => boolean): void {
  // `trusted` parses the URL and compares scheme://host (an unparseable URL is refused).
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (!trusted(url)) event.preventDefault()
  }
  contents.on('will-navigate', guard)
  contents.on('will-redirect', guard)
  contents.on('will-attach-webview', (event) => event.preventDefault())
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
}

export function applySessionPolicy(trusted: (origin: string) => boolean): void {
  const ses = session.defaultSession
  ses.setPermissionRequestHandler((contents, permission, callback) => {
    callback(isPermissionAllowed(permission, contents.getURL(), trusted))
  })
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin, trusted)
  )
}

export function createMainWindow(options: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Tagdeck',
    backgroundColor: '#111418',
    icon: options.iconPath,
    autoHideMenuBar: true,
    webPreferences: {
      preload: path.resolve(options.preloadPath),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false
    }
  })
  lockNavigation(win.webContents, options.isTrustedOrigin)
  win.once('ready-to-show', () => win.show())
  void win.loadURL(options.startUrl)
  return win
}
