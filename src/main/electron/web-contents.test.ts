import type { MessageBoxOptions, MessageBoxReturnValue } from 'electron'
import { describe, expect, it } from 'vitest'
import type { MainLocale } from '../i18n'
import { makeOriginCheck } from '../security/trusted-url'
import { FakeApp, FakeWebContents, settle } from '../../../testing/electron-fakes'
import { applyWebContentsPolicy, type MessageBoxHost } from './web-contents'

class FakeWindow {
  constructor(readonly name: string) {}
}

/** Electron's dialog: records each message box and answers with the button index it is given. */
class FakeDialog implements MessageBoxHost<FakeWindow> {
  shown: { parent: FakeWindow | null; options: MessageBoxOptions }[] = []
  constructor(private readonly pick: (options: MessageBoxOptions) => number) {}
  showMessageBox(window: FakeWindow, options: MessageBoxOptions): Promise<MessageBoxReturnValue>
  showMessageBox(options: MessageBoxOptions): Promise<MessageBoxReturnValue>
  showMessageBox(
    first: FakeWindow | MessageBoxOptions,
    second?: MessageBoxOptions
  ): Promise<MessageBoxReturnValue> {
    const [parent, options] =
      first instanceof FakeWindow ? [first, second as MessageBoxOptions] : [null, first]
    this.shown.push({ parent, options })
    return Promise.resolve({ response: this.pick(options), checkboxChecked: false })
  }
}

function world(choose: 'open' | 'cancel', locale: MainLocale = 'en') {
  const app = new FakeApp()
  const dialog = new FakeDialog((options) =>
    choose === 'open' ? 0 : (options.cancelId ?? options.buttons!.length - 1)
  )
  const opened: string[] = []
  const mainWindow = new FakeWindow('main')
  const windowOf = new Map<FakeWebContents, FakeWindow>()
  applyWebContentsPolicy<FakeWebContents, FakeWindow>({
    app,
    dialog,
    shell: {
      openExternal: (url) => {
        opened.push(url)
        return Promise.resolve()
      }
    },
    windows: { fromWebContents: (contents) => windowOf.get(contents) ?? null },
    isTrustedOrigin: makeOriginCheck(['app://tagdeck']),
    locale: () => locale
  })
  const mainContents = app.createWebContents()
  windowOf.set(mainContents, mainWindow)
  return { app, dialog, opened, mainContents, mainWindow }
}

describe('applyWebContentsPolicy', () => {
  it('asks in a dialog on the asking window, naming the host, before opening a link once', async () => {
    const { dialog, opened, mainContents, mainWindow } = world('open')
    expect(mainContents.windowOpen('https://example.com/guide?x=1')).toEqual({ action: 'deny' })
    await settle()
    expect(dialog.shown).toHaveLength(1)
    expect(dialog.shown[0]?.parent).toBe(mainWindow)
    expect(dialog.shown[0]?.options).toMatchObject({
      message: 'Open example.com in your browser?',
      detail: 'https://example.com/guide?x=1'
    })
    expect(opened).toEqual(['https://example.com/guide?x=1'])
  })

  it('opens nothing when the user cancels', async () => {
    const { dialog, opened, mainContents } = world('cancel')
    mainContents.windowOpen('https://example.com/')
    await settle()
    expect(dialog.shown).toHaveLength(1)
    expect(opened).toEqual([])
  })

  it('shows no dialog at all for a hostile link', async () => {
    const { dialog, opened, mainContents } = world('open')
    mainContents.windowOpen('javascript:alert(1)')
    mainContents.windowOpen('file:///etc/passwd')
    mainContents.navigate('will-navigate', 'data:text/html,x')
    await settle()
    expect(dialog.shown).toEqual([])
    expect(opened).toEqual([])
  })

  it('guards a webContents created later, with no window of its own (dialog unparented)', async () => {
    const { app, dialog, opened } = world('open', 'zh-CN')
    const later = app.createWebContents()
    expect(later.navigate('will-navigate', 'https://evil.example/')).toBe(true)
    expect(later.attachWebview()).toBe(true)
    await settle()
    expect(dialog.shown[0]?.parent).toBeNull()
    expect(dialog.shown[0]?.options.message).toBe('在浏览器中打开 evil.example？')
    expect(opened).toEqual(['https://evil.example/'])
  })
})
