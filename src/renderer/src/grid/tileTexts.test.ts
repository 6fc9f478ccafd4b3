import i18next from 'i18next'
import { describe, expect, it } from 'vitest'
import en from '../../../shared/locales/en.json'
import zhCN from '../../../shared/locales/zh-CN.json'
import { tileTexts } from './tileTexts'

async function texts(locale: 'en' | 'zh-CN') {
  const i18n = i18next.createInstance()
  await i18n.init({
    resources: { en: { translation: en }, 'zh-CN': { translation: zhCN } },
    lng: locale,
    interpolation: { escapeValue: false }
  })
  return tileTexts(i18n.t, locale)
}

describe('tile texts', () => {
  it('fills the translated templates per tile', async () => {
    const t = await texts('en')
    expect(t.loading(12345)).toBe('Loading image 12,345')
    expect(t.label('a.jpg', ['circle', 'ring'])).toBe('a.jpg: circle, ring')
    expect(t.label('b.jpg', [])).toBe('b.jpg: no tags')
    expect(t.more(2)).toBe('+2')
  })

  it('speaks Chinese with Chinese punctuation', async () => {
    const t = await texts('zh-CN')
    expect(t.label('a.jpg', ['圆', '环'])).toBe('a.jpg：圆、环')
    expect(t.label('b.jpg', [])).toBe('b.jpg：无标签')
    expect(t.loading(7)).toBe('正在加载第 7 张图片')
  })

  it('is not confused by names that look like placeholders', async () => {
    const t = await texts('en')
    expect(t.label('{{tags}}.jpg', ['x'])).toBe('{{tags}}.jpg: x')
  })
})
