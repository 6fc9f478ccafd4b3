import { describe, expect, it } from 'vitest'
import { isSafeExternalUrl, makeOriginCheck } from './trusted-url'

describe('isSafeExternalUrl', () => {
  it.each([
    'https://support.huaweicloud.com/sdkreference-modelarts/',
    'http://example.com/path?q=1#x',
    'https://[2001:db8::1]/'
  ])('allows %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(true)
  })

  it.each([
    ['javascript:alert(1)'],
    ['JaVaScRiPt:alert(1)'],
    [' javascript:alert(1)'],
    ['data:text/html,<script>alert(1)</script>'],
    ['file:///etc/passwd'],
    ['file://C:/Windows/System32/calc.exe'],
    ['smb://attacker/share'],
    ['ms-msdt:/id PCWDiagnostic'],
    ['vbscript:msgbox'],
    ['chrome://settings'],
    ['app://tagdeck/index.html'],
    ['tagdeck-img://img/a/b/c/full'],
    ['https://user:pass@example.com/'],
    ['https://user@example.com/'],
    ['//example.com/no-scheme'],
    ['/relative/path'],
    ['https:'],
    ['http://'],
    [''],
    ['x'.repeat(5000)],
    [undefined],
    [null],
    [42],
    [{ href: 'https://example.com' }]
  ])('refuses %s', (url) => {
    expect(isSafeExternalUrl(url)).toBe(false)
  })
})

describe('makeOriginCheck', () => {
  const trusted = makeOriginCheck(['app://tagdeck', 'http://localhost:5173'])

  it.each(['app://tagdeck', 'app://tagdeck/index.html', 'http://localhost:5173/some/page'])(
    'trusts %s',
    (origin) => {
      expect(trusted(origin)).toBe(true)
    }
  )

  it.each([
    'app://tagdeck.evil.com',
    'app://evil',
    'app://tagdeck@evil.com',
    'http://localhost:5174',
    'https://localhost:5173',
    'http://localhost.evil.com:5173',
    'http://127.0.0.1:5173',
    'file:///index.html',
    'null',
    '',
    'tagdeck'
  ])('does not trust %s', (origin) => {
    expect(trusted(origin)).toBe(false)
  })
})
