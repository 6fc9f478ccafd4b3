import type { MenuItemConstructorOptions } from 'electron'
import { mainText, type MainKey, type MainLocale } from '../i18n'

export interface MenuTemplateOptions {
  locale: MainLocale
  platform: NodeJS.Platform
  /** app.isPackaged: a packaged build has no reload or DevTools entries. */
  isPackaged: boolean
  onAbout: () => void
}

/** The application menu as a template (plain data, so it is tested without Electron). */
export function buildMenuTemplate(options: MenuTemplateOptions): MenuItemConstructorOptions[] {
  const t = (key: MainKey) => mainText(options.locale, key)
  const appMenu: MenuItemConstructorOptions =
    options.platform === 'darwin'
      ? {
          label: 'Tagdeck',
          submenu: [
            { role: 'about', label: t('main.menu.about') },
            { role: 'quit', label: t('main.menu.quit') }
          ]
        }
      : { label: t('main.menu.file'), submenu: [{ role: 'quit', label: t('main.menu.quit') }] }
  // A reviewer has no use for DevTools, and they would open the page's data and IPC to anyone
  // at the keyboard; reload would drop unsaved view state. Development keeps both.
  const developerItems: MenuItemConstructorOptions[] = options.isPackaged
    ? []
    : [
        { role: 'reload', label: t('main.menu.reload') },
        { role: 'toggleDevTools', label: t('main.menu.devTools') },
        { type: 'separator' }
      ]
  return [
    appMenu,
    {
      label: t('main.menu.edit'),
      submenu: [
        { role: 'undo', label: t('main.menu.undo') },
        { role: 'redo', label: t('main.menu.redo') },
        { type: 'separator' },
        { role: 'cut', label: t('main.menu.cut') },
        { role: 'copy', label: t('main.menu.copy') },
        { role: 'paste', label: t('main.menu.paste') },
        { role: 'selectAll', label: t('main.menu.selectAll') }
      ]
    },
    {
      label: t('main.menu.view'),
      submenu: [
        ...developerItems,
        { role: 'resetZoom', label: t('main.menu.resetZoom') },
        { role: 'zoomIn', label: t('main.menu.zoomIn') },
        { role: 'zoomOut', label: t('main.menu.zoomOut') },
        { role: 'togglefullscreen', label: t('main.menu.fullscreen') }
      ]
    },
    {
      label: t('main.menu.window'),
      submenu: [
        { role: 'minimize', label: t('main.menu.minimize') },
        { role: 'close', label: t('main.menu.close') }
      ]
    },
    {
      label: t('main.menu.help'),
      submenu: [{ label: t('main.menu.about'), click: () => options.onAbout() }]
    }
  ]
}
