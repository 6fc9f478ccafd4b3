import { describe, expect, it } from 'vitest'
import { FakeApp, FakeWebContents as FakeContents, settle } from '../../../testing/electron-fakes'
import { guardEveryWebContents, type NavigationPolicy } from './navigation-guard'
import { createExternalLinkOpener } from './external-links'
import { makeOriginCheck } from './trusted-url'

/** The real guard and the real link opener, with Electron's app, dialog and browser faked. */
function world(answer = true) {
  const app = new FakeApp()
  const asked: string[] = []
  const opened: string[] = []
  const logged: string[] = []
  const openLink = createExternalLinkOpener<FakeContents>({
    confirm: (link) => {
      asked.push(link.url)
      return Promise.resolve(answer)
    },
    openExternal: (url) => {
      opened.push(url)
      return Promise.resolve()
    },
    log: (message) => logged.push(message)
  })
  const policy: NavigationPolicy<FakeContents> = {
    isTrustedOrigin: makeOriginCheck(['app://tagdeck', 'http://localhost:5173']),
    offerExternal: (url, contents) => void openLink(url, contents),
    log: (message) => logged.push(message)
  }
  guardEveryWebContents(app, policy)
  return { create: () => app.createWebContents(), asked, opened, logged, settle }
}

const OUTSIDE = [
  'https://evil.example/',
  'http://localhost:5174/',
  'app://tagdeck.evil.com/index.html',
  'file:///etc/passwd',
  'javascript:alert(1)',
  'data:text/html,<h1>hi</h1>',
  'chrome://settings',
  'about:blank',
  'not a url'
]

describe('guardEveryWebContents', () => {
  it('guards every webContents, not only the first window’s', () => {
    const { create } = world()
    const contents = [create(), create(), create()]
    for (const each of contents) {
      expect(each.navigate('will-navigate', 'https://evil.example/')).toBe(true)
      expect(each.windowOpen('https://example.com/')).toEqual({ action: 'deny' })
      expect(each.attachWebview()).toBe(true)
    }
  })

  it.each(['app://tagdeck/index.html', 'app://tagdeck/#/jobs', 'http://localhost:5173/x'])(
    'lets the app navigate within its own origins: %s',
    (url) => {
      const contents = world().create()
      expect(contents.navigate('will-navigate', url)).toBe(false)
      expect(contents.navigate('will-redirect', url)).toBe(false)
      expect(contents.navigate('will-frame-navigate', url, false)).toBe(false)
    }
  )

  it.each(OUTSIDE)('stops every kind of navigation to %s', (url) => {
    const contents = world().create()
    expect(contents.navigate('will-navigate', url)).toBe(true)
    expect(contents.navigate('will-redirect', url)).toBe(true)
    expect(contents.navigate('will-frame-navigate', url, false)).toBe(true)
  })

  it('refuses <webview> outright', () => {
    expect(world().create().attachWebview()).toBe(true)
  })

  it('opens no new window, even for the app’s own origin', () => {
    const contents = world().create()
    expect(contents.windowOpen('app://tagdeck/index.html')).toEqual({ action: 'deny' })
  })

  it('offers a link the page opens to the user, and opens it once they agree', async () => {
    const { create, asked, opened, settle } = world(true)
    create().windowOpen('https://support.huaweicloud.com/modelarts/')
    await settle()
    expect(asked).toEqual(['https://support.huaweicloud.com/modelarts/'])
    expect(opened).toEqual(['https://support.huaweicloud.com/modelarts/'])
  })

  it('offers a link the main frame navigates to (a plain <a href>) in the same way', async () => {
    const { create, opened, settle } = world(true)
    const contents = create()
    expect(contents.navigate('will-navigate', 'https://example.com/docs')).toBe(true)
    await settle()
    expect(opened).toEqual(['https://example.com/docs'])
  })

  it('offers nothing for redirects and frames: only the page itself asks', async () => {
    const { create, asked, settle } = world(true)
    const contents = create()
    contents.navigate('will-redirect', 'https://example.com/')
    contents.navigate('will-frame-navigate', 'https://example.com/', false)
    contents.navigate('will-frame-navigate', 'https://example.com/', true)
    await settle()
    expect(asked).toEqual([])
  })

  it('never opens a declined link', async () => {
    const { create, asked, opened, settle } = world(false)
    create().windowOpen('https://example.com/')
    await settle()
    expect(asked).toHaveLength(1)
    expect(opened).toEqual([])
  })

  it.each(['javascript:alert(1)', 'file:///etc/passwd', 'https://a:b@example.com/', 'smb://x/y'])(
    'neither asks about nor opens %s from window.open or a link',
    async (url) => {
      const { create, asked, opened, settle } = world(true)
      const contents = create()
      contents.windowOpen(url)
      contents.navigate('will-navigate', url)
      await settle()
      expect(asked).toEqual([])
      expect(opened).toEqual([])
    }
  )

  it('logs what it stopped, by scheme and host only', () => {
    const { create, logged } = world()
    create().navigate('will-redirect', 'https://evil.example/path?token=secret')
    expect(logged).toEqual(['blocked a redirect to https://evil.example'])
  })
})
