import { describe, expect, it } from 'vitest'
import { IpcRouter } from '../ipc/router'
import { EventHub } from '../ipc/events'
import type { MainContext } from '../context'
import { addAppHandlers } from './app'

function world() {
  const ctx: MainContext = {
    version: '1.2.3',
    shell: 'browser',
    userDataDir: '/nonexistent',
    events: new EventHub(),
    locale: 'en',
    pendingDeletions: 0,
    demoFile: null
  }
  const router = new IpcRouter((origin) => origin === 'app://tagdeck')
  addAppHandlers(router, ctx)
  return { ctx, router, origin: { origin: 'app://tagdeck' } }
}

describe('app handlers', () => {
  it('keeps the pending-deletion count main warns about on quit', async () => {
    const { ctx, router, origin } = world()
    expect(await router.dispatch('app.reportPending', { deletions: 14 }, origin)).toEqual({
      ok: true,
      value: { deletions: 14 }
    })
    expect(ctx.pendingDeletions).toBe(14)
    expect(await router.dispatch('app.reportPending', { deletions: -1 }, origin)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' }
    })
    expect(await router.dispatch('app.reportPending', { deletions: 1.5 }, origin)).toMatchObject({
      ok: false
    })
    expect(ctx.pendingDeletions).toBe(14)
  })

  it('switches main to the language the user chose and tells the host', async () => {
    const { ctx, router, origin } = world()
    const seen: string[] = []
    ctx.onLocaleChange = (locale) => seen.push(locale)
    expect(await router.dispatch('app.setLocale', { locale: 'zh-CN' }, origin)).toEqual({
      ok: true,
      value: { locale: 'zh-CN' }
    })
    expect(ctx.locale).toBe('zh-CN')
    expect(seen).toEqual(['zh-CN'])
    expect(await router.dispatch('app.setLocale', { locale: 'fr' }, origin)).toMatchObject({
      ok: false,
      error: { code: 'invalid_input' }
    })
    expect(ctx.locale).toBe('zh-CN')
  })
})
