import { describeUrl } from './trusted-url'

/**
 * The navigation guard, installed on every webContents the app ever creates (windows, DevTools,
 * anything a future feature adds), not only on the main window: a page stays on the app's own
 * origins, opens no window and embeds no <webview>. A link it tries to leave for is handed to
 * the external-link confirmation. Electron's objects are passed in, so this runs in plain Node.
 */
export interface NavigationEvent {
  readonly url: string
  readonly isMainFrame: boolean
  preventDefault(): void
}

export interface PreventableEvent {
  preventDefault(): void
}

/** The part of Electron's WebContents the guard uses. */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: NavigationEvent) => void): unknown
  on(event: 'will-frame-navigate', listener: (event: NavigationEvent) => void): unknown
  on(event: 'will-redirect', listener: (event: NavigationEvent) => void): unknown
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void
}

/** The part of Electron's app the guard uses. */
export interface WebContentsSource<Contents> {
  on(event: 'web-contents-created', listener: (event: unknown, contents: Contents) => void): unknown
}

export interface NavigationPolicy<Contents> {
  /** True for the app's own origins (app://tagdeck, and the dev server in development). */
  isTrustedOrigin(url: string): boolean
  /** A link the page asked to open: the confirmation decides (and refuses what is not http(s)). */
  offerExternal(url: string, contents: Contents): void
  log?(message: string): void
}

export function guardWebContents<Contents extends GuardedContents>(
  contents: Contents,
  policy: NavigationPolicy<Contents>
): void {
  const log = policy.log ?? ((message: string) => console.warn(`Tagdeck: ${message}`))
  const block = (what: string) => (event: NavigationEvent) => {
    if (policy.isTrustedOrigin(event.url)) return
    event.preventDefault()
    log(`blocked ${what} to ${describeUrl(event.url)}`)
  }
  const blockFrame = block('a frame navigation')
  contents.on('will-navigate', (event) => {
    if (policy.isTrustedOrigin(event.url)) return
    event.preventDefault()
    // The page itself is leaving (a plain <a href>): offer it as a link, like window.open.
    policy.offerExternal(event.url, contents)
  })
  // Subframes: the main frame's own navigations are already handled by will-navigate.
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) blockFrame(event)
  })
  contents.on('will-redirect', block('a redirect'))
  contents.on('will-attach-webview', (event) => {
    event.preventDefault()
    log('refused to attach a <webview>')
  })
  contents.setWindowOpenHandler(({ url }) => {
    policy.offerExternal(url, contents)
    return { action: 'deny' }
  })
}

/** Must run before the first window is created: every later webContents is guarded at birth. */
export function guardEveryWebContents<Contents extends GuardedContents>(
  app: WebContentsSource<Contents>,
  policy: NavigationPolicy<Contents>
): void {
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, policy))
}
