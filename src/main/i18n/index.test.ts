import { describe, expect, it } from 'vitest'
import { mainLocaleFrom, mainText } from './index'

describe('mainText', () => {
  it('speaks the chosen language, from the shared locale files', () => {
    expect(mainText('en', 'main.menu.quit')).toBe('Quit Tagdeck')
    expect(mainText('zh-CN', 'main.menu.quit')).toBe('退出 Tagdeck')
  })

  it('uses real plural rules for the quit warning', () => {
    expect(mainText('en', 'main.quit.message', { count: 1 })).toBe(
      '1 deletion has not reached the service yet.'
    )
    expect(mainText('en', 'main.quit.message', { count: 1234 })).toBe(
      '1,234 deletions have not reached the service yet.'
    )
    expect(mainText('zh-CN', 'main.quit.message', { count: 3 })).toBe('3 项删除尚未送达服务。')
  })

  it('interpolates names', () => {
    expect(mainText('zh-CN', 'main.secret.message', { name: 'Demo' })).toContain('“Demo”')
  })

  it('maps OS locales', () => {
    expect(mainLocaleFrom('zh-CN')).toBe('zh-CN')
    expect(mainLocaleFrom('zh_TW')).toBe('zh-CN')
    expect(mainLocaleFrom('en-US')).toBe('en')
    expect(mainLocaleFrom(undefined)).toBe('en')
  })
})
