import { BrowserWindow, session } from 'electron'
import { isPermissionAllowed } from '../security/permissions'
import { mainWindowOptions } from './window-options'

export interface WindowOptions {
  preloadPath: string
  startUrl: string
  iconPath?: string
  isPackaged: boolean
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

/**
 * The main window. Its navigation is guarded like every webContents'
 * (applyWebContentsPolicy, installed before any window exists).
 */
export function createMainWindow(options: WindowOptions): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(options))
  win.once('ready-to-show', () => win.show())
  void win.loadURL(options.startUrl)
  return win
}
