import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { IpcRouter } from '../ipc/router'
import { useLogger } from '../log'
import { createFileLogger } from '../log/logger'
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
    syncing: false,
    outboxReported: false,
    demoFile: null,
    logsDir: '/nonexistent/logs'
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

  it('keeps whether a sync runs, and tells the host after every report (the update waits)', async () => {
    const { ctx, router, origin } = world()
    let reports = 0
    ctx.onOutboxReport = () => reports++
    expect(ctx.outboxReported).toBe(false)
    await router.dispatch('app.reportPending', { deletions: 3, syncing: true }, origin)
    expect([ctx.pendingDeletions, ctx.syncing, ctx.outboxReported, reports]).toEqual([
      3,
      true,
      true,
      1
    ])
    await router.dispatch('app.reportPending', { deletions: 0 }, origin)
    expect([ctx.pendingDeletions, ctx.syncing, reports]).toEqual([0, false, 2])
    expect(
      await router.dispatch('app.reportPending', { deletions: 0, syncing: 'yes' }, origin)
    ).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(reports).toBe(2)
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

describe("the renderer's log", () => {
  it('writes what the renderer reports, redacted, and refuses what the contract does not allow', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-app-log-'))
    const logger = await createFileLogger({ dir, name: 'main' })
    const restore = useLogger(logger)
    try {
      const { router, origin } = world()
      const sent = {
        level: 'error',
        message: 'the grid failed to render',
        detail: 'TypeError: x is undefined\n    at Grid (ImageGrid.tsx:12) token=abcdef123456'
      }
      expect(await router.dispatch('app.log', sent, origin)).toEqual({
        ok: true,
        value: { written: true }
      })
      for (const bad of [
        { level: 'info', message: 'm' },
        { level: 'error', message: '' },
        { level: 'error', message: 'x'.repeat(2_001) },
        { level: 'warn', message: 'm', detail: 'd'.repeat(16_001) },
        'a string'
      ]) {
        const answer = await router.dispatch('app.log', bad, origin)
        if (answer.ok || answer.error.code !== 'invalid_input')
          expect.fail(`accepted ${JSON.stringify(bad).slice(0, 80)}`)
      }
      expect(
        await router.dispatch('app.log', sent, { origin: 'https://evil.example' })
      ).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } })
      await logger.close()
      const files = await readdir(dir)
      const text = (await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')))).join(
        ''
      )
      const lines = text.trim().split('\n')
      expect(lines).toHaveLength(1)
      expect(JSON.parse(lines[0] ?? '')).toMatchObject({
        level: 50,
        scope: 'renderer',
        msg: 'the grid failed to render'
      })
      expect(text).toContain('ImageGrid.tsx:12')
      expect(text).not.toContain('abcdef123456')
    } finally {
      restore()
      await rm(dir, { recursive: true, force: true })
    }
  })

  it('lets a burst through, then a few lines a second, and says how many it left out', async () => {
    const { ctx, origin } = world()
    let now = 1_000_000
    ctx.now = () => now
    const seen: string[] = []
    const memory = {
      debug: () => undefined,
      info: () => undefined,
      warn: (m: string) => seen.push(m),
      error: (m: string) => seen.push(m),
      child: () => memory
    }
    const restore = useLogger(memory)
    try {
      // The budget is made with the handlers: make them again now that the clock is set.
      const fresh = new IpcRouter((o) => o === origin.origin)
      addAppHandlers(fresh, ctx)
      const send = async (i: number) => {
        const answer = await fresh.dispatch(
          'app.log',
          { level: 'warn', message: `line ${i}` },
          origin
        )
        if (!answer.ok) throw new Error(answer.error.message)
        return (answer.value as { written: boolean }).written
      }
      const written: boolean[] = []
      for (let i = 0; i < 500; i++) written.push(await send(i))
      expect(written.filter(Boolean)).toHaveLength(50)
      expect(seen).toHaveLength(50)
      now += 1_000
      expect([await send(500), await send(501), await send(502)]).toEqual([true, true, false])
      expect(seen.slice(50)).toEqual([
        '450 renderer log lines left out (rate limit)',
        'line 500',
        'line 501'
      ])
    } finally {
      restore()
    }
  })
})
