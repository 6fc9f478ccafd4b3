import { describe, expect, it } from 'vitest'
import { TagdeckError } from '../../../shared/errors'
import { contract } from '../../../shared/ipc'
import { createRendererLog, describeDetail, MAX_DETAIL, type LogLine } from './forward'

function world(send?: (line: LogLine) => Promise<unknown>) {
  const sent: LogLine[] = []
  const printed: { level: string; args: unknown[] }[] = []
  const print =
    (level: string) =>
    (...args: unknown[]) =>
      printed.push({ level, args })
  const console = {
    debug: print('debug'),
    info: print('info'),
    warn: print('warn'),
    error: print('error')
  }
  const log = createRendererLog(
    send ??
      (async (line) => {
        sent.push(line)
      }),
    console
  )
  return { log, sent, printed }
}

describe("the renderer's log", () => {
  it('sends warnings and errors to main as lines the app.log contract accepts', async () => {
    const { log, sent, printed } = world()
    log.debug('scrolled')
    log.info('opened a job')
    log.warn('the thumbnail did not load')
    log.error(
      'select all stopped',
      new TagdeckError({ code: 'network', message: 'Service unreachable' })
    )
    log.error('x'.repeat(5_000), { huge: 'y'.repeat(50_000) })
    await Promise.resolve()
    expect(printed.map((p) => p.level)).toEqual(['debug', 'info', 'warn', 'error', 'error'])
    expect(sent).toHaveLength(3)
    expect(sent[0]).toEqual({ level: 'warn', message: 'the thumbnail did not load' })
    expect(sent[1]?.detail).toMatch(/^TagdeckError \[network\]: Service unreachable\n/)
    expect(sent[1]?.detail).toContain('forward.test.ts')
    for (const line of sent) expect(contract['app.log'].input.safeParse(line).success).toBe(true)
  })

  it('keeps a line main could not take in the console, and does not send it again', async () => {
    let calls = 0
    const { log, printed } = world(async () => {
      calls++
      throw new Error('main is gone')
    })
    log.error('the viewer failed')
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(calls).toBe(1)
    expect(printed.map((p) => p.args[0])).toEqual([
      'Tagdeck: the viewer failed',
      'Tagdeck: this line did not reach the log file'
    ])
  })

  it('describes what was thrown: errors with cause and code, strings, values, cycles', () => {
    const cause = Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' })
    const error = new Error('the page was not stored', { cause })
    const text = describeDetail(error) ?? ''
    expect(text).toMatch(/^Error: the page was not stored\n\s+at /)
    expect(text).toContain('cause: Error [ENOSPC]: ENOSPC')
    expect(describeDetail('plain')).toBe('plain')
    expect(describeDetail({ a: 1 })).toBe('{"a":1}')
    const cycle: Record<string, unknown> = {}
    cycle.self = cycle
    expect(describeDetail(cycle)).toBe('[object Object]')
    expect(describeDetail('z'.repeat(MAX_DETAIL + 10))).toHaveLength(MAX_DETAIL)
    expect(describeDetail(undefined)).toBeUndefined()
  })
})
