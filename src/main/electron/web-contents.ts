import type { MessageBoxOptions, MessageBoxReturnValue } from 'electron'
import type { MainLocale } from '../i18n'
import {
  createExternalLinkOpener,
  externalLinkPrompt,
  isOpenChosen
} from '../security/external-links'
import {
  guardEveryWebContents,
  type GuardedContents,
  type WebContentsSource
} from '../security/navigation-guard'

/** Electron's dialog, as far as the link confirmation uses it. */
export interface MessageBoxHost<Window> {
  showMessageBox(window: Window, options: MessageBoxOptions): Promise<MessageBoxReturnValue>
  showMessageBox(options: MessageBoxOptions): Promise<MessageBoxReturnValue>
}

export interface WebContentsPolicyDeps<Contents extends GuardedContents, Window> {
  app: WebContentsSource<Contents>
  dialog: MessageBoxHost<Window>
  shell: { openExternal(url: string): Promise<void> }
  /** BrowserWindow: the confirmation is modal to the window whose page asked. */
  windows: { fromWebContents(contents: Contents): Window | null }
  isTrustedOrigin(url: string): boolean
  locale(): MainLocale
}

/**
 * The navigation guard on every webContents, with links confirmed in a native dialog before
 * the OS browser opens them. Electron's app, dialog, shell and BrowserWindow are passed in.
 */
export function applyWebContentsPolicy<Contents extends GuardedContents, Window>(
  deps: WebContentsPolicyDeps<Contents, Window>
): void {
  const openLink = createExternalLinkOpener<Contents>({
    async confirm(link, contents) {
      const prompt = externalLinkPrompt(deps.locale(), link)
      const parent = deps.windows.fromWebContents(contents)
      const { response } = parent
        ? await deps.dialog.showMessageBox(parent, prompt)
        : await deps.dialog.showMessageBox(prompt)
      return isOpenChosen(response)
    },
    openExternal: (url) => deps.shell.openExternal(url)
  })
  guardEveryWebContents(deps.app, {
    isTrustedOrigin: deps.isTrustedOrigin,
    offerExternal: (url, contents) => void openLink(url, contents)
  })
}
