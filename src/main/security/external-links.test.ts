import { describe, expect, it, vi } from 'vitest'
import {
  createExternalLinkOpener,
  externalLinkFrom,
  externalLinkPrompt,
  isOpenChosen,
  type ExternalLink
} from './external-links'

/** An openExternal and a confirmation that answer as told, recording what they were given. */
function world(answer: boolean | Promise<boolean> = true) {
  const opened: string[] = []
  const asked: ExternalLink[] = []
  const logged: string[] = []
  const open = createExternalLinkOpener<null>({
    confirm: (link) => {
      asked.push(link)
      return Promise.resolve(answer)
    },
    openExternal: (url) => {
      opened.push(url)
      return Promise.resolve()
    },
    log: (message) => logged.push(message)
  })
  return { open, opened, asked, logged }
}

const HOSTILE: unknown[] = [
  'javascript:alert(1)',
  'JaVaScRiPt:alert(document.cookie)',
  '  javascript:alert(1)',
  'java\tscript:alert(1)',
  'data:text/html,<script>alert(1)</script>',
  'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==',
  'file:///etc/passwd',
  'file://C:/Windows/System32/calc.exe',
  'file://attacker/share/payload.exe',
  'vbscript:msgbox',
  'ms-msdt:/id PCWDiagnostic /skip force',
  'search-ms:query=invoice&crumb=location:\\\\attacker\\share',
  'smb://attacker/share',
  'ftp://example.com/file',
  'mailto:someone@example.com',
  'ssh://example.com',
  'chrome://settings',
  'about:blank',
  'blob:https://example.com/3b7c',
  'app://tagdeck/index.html',
  'tagdeck-img://img/a/b/c/full',
  'https://user:pass@example.com/',
  'https://support.huaweicloud.com@evil.example/',
  'http://user@example.com/',
  '//example.com/no-scheme',
  '/relative/path',
  'https:',
  'http://',
  '',
  'https://exa\u202emple.com/',
  `https://example.com/${'x'.repeat(5000)}`,
  undefined,
  null,
  42,
  { href: 'https://example.com' },
  new URL('https://example.com')
]

describe('createExternalLinkOpener', () => {
  it.each(HOSTILE.map((url) => [url]))(
    'never asks about nor opens %s, and says so in the log',
    async (url) => {
      const { open, opened, asked, logged } = world(true)
      await expect(open(url, null)).resolves.toBe('refused')
      expect(asked).toEqual([])
      expect(opened).toEqual([])
      expect(logged).toHaveLength(1)
    }
  )

  it('opens a confirmed http(s) link exactly once, as the URL the user was shown', async () => {
    const { open, opened, asked } = world(true)
    await expect(open('HTTPS://Example.com:443/a b?q=1#top', null)).resolves.toBe('opened')
    expect(asked).toEqual([{ host: 'example.com', url: 'https://example.com/a%20b?q=1#top' }])
    expect(opened).toEqual(['https://example.com/a%20b?q=1#top'])
  })

  it('never opens a declined link', async () => {
    const { open, opened, asked } = world(false)
    await expect(open('http://example.com/', null)).resolves.toBe('declined')
    expect(asked).toHaveLength(1)
    expect(opened).toEqual([])
  })

  it('names a look-alike (IDN) host in punycode, so it cannot pass for the real one', async () => {
    const { open, asked } = world(false)
    // Cyrillic "а" in place of the Latin "a".
    await open('https://\u0430pple.com/\u043f\u0443\u0442\u044c', null)
    expect(asked).toEqual([
      { host: 'xn--pple-43d.com', url: 'https://xn--pple-43d.com/%D0%BF%D1%83%D1%82%D1%8C' }
    ])
  })

  it('keeps the port in the host it names', async () => {
    const { open, asked } = world(false)
    await open('http://[2001:db8::1]:8443/x', null)
    expect(asked[0]?.host).toBe('[2001:db8::1]:8443')
  })

  it('asks one question at a time: a page cannot stack up dialogs', async () => {
    let answer: (value: boolean) => void = () => undefined
    const { open, opened, asked, logged } = world(new Promise<boolean>((r) => (answer = r)))
    const first = open('https://example.com/one', null)
    await expect(open('https://example.com/two', null)).resolves.toBe('busy')
    expect(asked).toHaveLength(1)
    expect(logged).toHaveLength(1)
    answer(true)
    await expect(first).resolves.toBe('opened')
    expect(opened).toEqual(['https://example.com/one'])
    // Once answered, the next link is asked about again.
    await expect(open('https://example.com/three', null)).resolves.toBe('opened')
  })

  it('reports a dialog or a browser that fails, and never throws', async () => {
    const logged: unknown[] = []
    const broken = createExternalLinkOpener<null>({
      confirm: () => Promise.reject(new Error('no display')),
      openExternal: () => Promise.resolve(),
      log: (message, error) => logged.push([message, error])
    })
    await expect(broken('https://example.com/', null)).resolves.toBe('failed')
    expect(logged).toHaveLength(1)

    const openExternal = vi.fn(() => Promise.reject(new Error('no browser')))
    const noBrowser = createExternalLinkOpener<null>({
      confirm: () => Promise.resolve(true),
      openExternal,
      log: (message, error) => logged.push([message, error])
    })
    await expect(noBrowser('https://example.com/', null)).resolves.toBe('failed')
    expect(openExternal).toHaveBeenCalledTimes(1)
    expect(logged).toHaveLength(2)
  })

  it('hands the confirmation the page that asked (for the dialog’s parent window)', async () => {
    const confirm = vi.fn(() => Promise.resolve(false))
    const open = createExternalLinkOpener<string>({
      confirm,
      openExternal: () => Promise.resolve()
    })
    await open('https://example.com/', 'main window')
    expect(confirm).toHaveBeenCalledWith(
      { host: 'example.com', url: 'https://example.com/' },
      'main window'
    )
  })
})

describe('externalLinkFrom', () => {
  it('drops nothing the browser would use: path, query and fragment stay', () => {
    expect(externalLinkFrom('https://example.com/p?q=1&r=2#f')).toEqual({
      host: 'example.com',
      url: 'https://example.com/p?q=1&r=2#f'
    })
  })
})

describe('externalLinkPrompt', () => {
  const link = { host: 'xn--pple-43d.com', url: 'https://xn--pple-43d.com/login' }

  it('names the host in the question and shows the full URL as the detail', () => {
    const prompt = externalLinkPrompt('en', link)
    expect(prompt.message).toBe('Open xn--pple-43d.com in your browser?')
    expect(prompt.detail).toBe('https://xn--pple-43d.com/login')
    expect(prompt.buttons).toEqual(['Open in browser', 'Cancel'])
  })

  it('speaks Simplified Chinese', () => {
    const prompt = externalLinkPrompt('zh-CN', link)
    expect(prompt.message).toBe('在浏览器中打开 xn--pple-43d.com？')
    expect(prompt.buttons).toEqual(['在浏览器中打开', '取消'])
  })

  it('makes Cancel the default and the Escape answer, and only Open confirms', () => {
    const prompt = externalLinkPrompt('en', link)
    expect(prompt.buttons[prompt.defaultId]).toBe('Cancel')
    expect(prompt.buttons[prompt.cancelId]).toBe('Cancel')
    expect(isOpenChosen(prompt.buttons.indexOf('Open in browser'))).toBe(true)
    expect(isOpenChosen(prompt.cancelId)).toBe(false)
    expect(isOpenChosen(-1)).toBe(false)
  })
})
