import { dialog, Menu, type BrowserWindow, type MenuItemConstructorOptions } from 'electron'
import { mainText, type MainLocale } from '../i18n'

/** The application menu in the user's language; rebuilt when the renderer changes it. */
export function applyMenu(locale: MainLocale, version: string): void {
  const t = (key: Parameters<typeof mainText>[1]) => mainText(locale, key)
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin'
      ? [
          {
            label: 'Tagdeck',
            submenu: [
              { role: 'about' as const, label: t('main.menu.about') },
              { role: 'quit' as const, label: t('main.menu.quit') }
            ]
          }
        ]
      : [
          {
            label: t('main.menu.file'),
            submenu: [{ role: 'quit' as const, label: t('main.menu.quit') }]
          }
        ]),
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
        { role: 'reload', label: t('main.menu.reload') },
        { role: 'toggleDevTools', label: t('main.menu.devTools') },
        { type: 'separator' },
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
      submenu: [
        {
          label: t('main.menu.about'),
          click: () =>
            void dialog.showMessageBox({
              type: 'info',
              title: t('main.about.title'),
              message: 'Tagdeck',
              detail: mainText(locale, 'main.about.detail', { version })
            })
        }
      ]
    }
  ]
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}

/**
 * Closing with deletions still in the outbox: say how many, and that they will sync next time
 * (they are in IndexedDB, so quitting loses nothing). Returns true when the window may close.
 */
export function confirmCloseWithPending(
  win: BrowserWindow,
  locale: MainLocale,
  pending: number
): boolean {
  if (pending <= 0) return true
  const choice = dialog.showMessageBoxSync(win, {
    type: 'warning',
    title: mainText(locale, 'main.quit.title'),
    message: mainText(locale, 'main.quit.message', { count: pending }),
    detail: mainText(locale, 'main.quit.detail'),
    buttons: [mainText(locale, 'main.quit.stay'), mainText(locale, 'main.quit.quit')],
    defaultId: 0,
    cancelId: 0,
    noLink: true
  })
  return choice === 1
}
