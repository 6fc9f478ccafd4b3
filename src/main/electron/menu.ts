import { dialog, Menu, type BrowserWindow } from 'electron'
import { mainText, type MainLocale } from '../i18n'
import { buildMenuTemplate } from './menu-template'

/** The application menu in the user's language; rebuilt when the renderer changes it. */
export function applyMenu(locale: MainLocale, version: string, isPackaged: boolean): void {
  const template = buildMenuTemplate({
    locale,
    platform: process.platform,
    isPackaged,
    onAbout: () =>
      void dialog.showMessageBox({
        type: 'info',
        title: mainText(locale, 'main.about.title'),
        message: 'Tagdeck',
        detail: mainText(locale, 'main.about.detail', { version })
      })
  })
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
