import { EventEmitter } from 'node:events'
import type { GuardedContents } from '../src/main/security/navigation-guard'

/**
 * Stand-ins for Electron's objects in tests (Electron cannot run under plain Node): they emit
 * the same events with the same shapes, so the real guard and adapters can be driven.
 */
export class FakeWebContents extends EventEmitter implements GuardedContents {
  openHandler: ((details: { url: string }) => { action: 'deny' | 'allow' }) | null = null

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void {
    this.openHandler = handler
  }

  /** Emits a navigation event as Electron does; true when a listener prevented it. */
  navigate(
    event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect',
    url: string,
    isMainFrame = true
  ): boolean {
    let prevented = false
    this.emit(event, { url, isMainFrame, preventDefault: () => (prevented = true) }, url)
    return prevented
  }

  attachWebview(): boolean {
    let prevented = false
    this.emit('will-attach-webview', { preventDefault: () => (prevented = true) }, {}, {})
    return prevented
  }

  /** What window.open(url) from the page gets: the handler's answer. */
  windowOpen(url: string): { action: 'deny' | 'allow' } {
    if (!this.openHandler) throw new Error('no window-open handler: this webContents is unguarded')
    return this.openHandler({ url })
  }
}

/** Electron's app: announces each new webContents. */
export class FakeApp extends EventEmitter {
  createWebContents(): FakeWebContents {
    const contents = new FakeWebContents()
    this.emit('web-contents-created', {}, contents)
    return contents
  }
}

/** Lets pending promise callbacks (a dialog's answer, openExternal) run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve))
}
