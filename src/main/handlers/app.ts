import type { IpcRouter } from '../ipc/router'
import type { MainContext } from '../context'

export function addAppHandlers(router: IpcRouter, ctx: MainContext): void {
  router.addHandler('app.version', () => ({
    version: ctx.version,
    shell: ctx.shell,
    platform: process.platform
  }))
  router.addHandler('app.ping', ({ nonce }) => ({ nonce, receivedAt: Date.now() }))
  router.addHandler('app.setLocale', ({ locale }) => {
    ctx.locale = locale
    ctx.onLocaleChange?.(locale)
    return { locale }
  })
  router.addHandler('app.reportPending', ({ deletions }) => {
    ctx.pendingDeletions = deletions
    return { deletions }
  })
}
