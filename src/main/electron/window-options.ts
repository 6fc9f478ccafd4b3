import type { BrowserWindowConstructorOptions } from 'electron'
import path from 'node:path'

export interface MainWindowSettings {
  preloadPath: string
  iconPath?: string
  /** app.isPackaged: DevTools cannot be opened in a packaged build, by menu, key or API. */
  isPackaged: boolean
}

/** The main window's options: sandboxed, isolated, no Node in the page. */
export function mainWindowOptions(settings: MainWindowSettings): BrowserWindowConstructorOptions {
  return {
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Tagdeck',
    backgroundColor: '#111418',
    icon: settings.iconPath,
    autoHideMenuBar: true,
    webPreferences: {
      preload: path.resolve(settings.preloadPath),
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
      devTools: !settings.isPackaged
    }
  }
}
