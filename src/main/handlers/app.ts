import type { IpcRouter } from '../ipc/router'
import type { MainContext } from '../context'
import { log } from '../log'
import { LogBudget } from '../log/budget'

/** The renderer's lines: a burst of 50, then 2 a second, so no page can flood the disk. */
export const RENDERER_LOG_BURST = 50
export const RENDERER_LOG_PER_SECOND = 2

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
  router.addHandler('app.reportPending', ({ deletions, syncing }) => {
    ctx.pendingDeletions = deletions
    ctx.syncing = syncing ?? false
    ctx.outboxReported = true
    ctx.onOutboxReport?.()
    return { deletions }
  })
  const rendererLog = log.child('renderer')
  const budget = new LogBudget(RENDERER_LOG_BURST, RENDERER_LOG_PER_SECOND, ctx.now)
  router.addHandler('app.log', ({ level, message, detail }) => {
    const turn = budget.take()
    if (!turn.ok) return { written: false }
    if (turn.droppedBefore > 0)
      rendererLog.warn(`${turn.droppedBefore} renderer log lines left out (rate limit)`)
    rendererLog[level](message, detail)
    return { written: true }
  })
  router.addHandler('app.openLogsFolder', async () => {
    if (!ctx.openFolder) return { path: ctx.logsDir, opened: false }
    const opened = await ctx.openFolder(ctx.logsDir)
    if (!opened) log.warn(`the logs folder could not be opened: ${ctx.logsDir}`)
    return { path: ctx.logsDir, opened }
  })
}
