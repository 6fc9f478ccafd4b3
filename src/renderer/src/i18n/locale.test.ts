import { describe, expect, it } from 'vitest'
import { initialLocale, matchLocale } from './locale'

describe('locale choice', () => {
  it('follows the first preferred language we speak', () => {
    expect(matchLocale(['zh-CN', 'en-US'])).toBe('zh-CN')
    expect(matchLocale(['zh-TW'])).toBe('zh-CN')
    expect(matchLocale(['zh'])).toBe('zh-CN')
    expect(matchLocale(['de-DE', 'en-GB', 'zh-CN'])).toBe('en')
    expect(matchLocale(['fr', 'zh-Hans-CN'])).toBe('zh-CN')
    expect(matchLocale([])).toBe('en')
    expect(matchLocale(['ja'])).toBe('en')
  })

  it('lets a remembered choice win, and ignores a corrupt one', () => {
    expect(initialLocale('zh-CN', ['en-US'])).toBe('zh-CN')
    expect(initialLocale('en', ['zh-CN'])).toBe('en')
    expect(initialLocale('klingon', ['zh-CN'])).toBe('zh-CN')
    expect(initialLocale(null, ['en-US'])).toBe('en')
  })
})
