import type { ChannelInput } from '../../../shared/ipc'

export type LogLine = ChannelInput<'app.log'>

/** The renderer's logger: the same four levels as main's (src/main/log). */
export interface RendererLog {
  debug(message: string, detail?: unknown): void
  info(message: string, detail?: unknown): void
  warn(message: string, detail?: unknown): void
  error(message: string, detail?: unknown): void
}

export const MAX_MESSAGE = 2_000
export const MAX_DETAIL = 16_000

/** An error (or anything thrown) as text main can write: name, code, message, stack. */
export function describeDetail(detail: unknown): string | undefined {
  if (detail === undefined) return undefined
  if (detail instanceof Error) {
    const code = 'code' in detail && typeof detail.code === 'string' ? ` [${detail.code}]` : ''
    const head = `${detail.name}${code}: ${detail.message}`
    const stack = detail.stack ?? ''
    // V8 stacks start with the name and message again.
    const text = stack.startsWith(`${detail.name}`)
      ? `${head}\n${stack.split('\n').slice(1).join('\n')}`
      : `${head}\n${stack}`
    const cause = detail.cause === undefined ? '' : `\ncause: ${describeDetail(detail.cause) ?? ''}`
    return `${text.trimEnd()}${cause}`.slice(0, MAX_DETAIL)
  }
  if (typeof detail === 'string') return detail.slice(0, MAX_DETAIL)
  try {
    return (JSON.stringify(detail) ?? String(detail)).slice(0, MAX_DETAIL)
    // eslint-disable-next-line no-restricted-syntax -- a circular value: its String() is the trace
  } catch {
    return String(detail).slice(0, MAX_DETAIL)
  }
}

/**
 * Everything goes to the console (DevTools); warnings and errors also to main's log file over
 * `app.log` (main redacts them and limits how many it writes). A line that cannot reach main
 * stays in the console: it says so there, and is not sent again (that could loop).
 */
export function createRendererLog(
  send: (line: LogLine) => Promise<unknown>,
  console: Pick<Console, 'debug' | 'info' | 'warn' | 'error'> = globalThis.console
): RendererLog {
  const forward = (level: 'warn' | 'error') => (message: string, detail?: unknown) => {
    if (detail === undefined) console[level](`Tagdeck: ${message}`)
    else console[level](`Tagdeck: ${message}`, detail)
    const line: LogLine = { level, message: (message || '(no message)').slice(0, MAX_MESSAGE) }
    const text = describeDetail(detail)
    if (text !== undefined) line.detail = text
    send(line).catch((error: unknown) =>
      console.warn('Tagdeck: this line did not reach the log file', error)
    )
  }
  return {
    debug: (message, detail) =>
      console.debug(`Tagdeck: ${message}`, ...(detail === undefined ? [] : [detail])),
    info: (message, detail) =>
      console.info(`Tagdeck: ${message}`, ...(detail === undefined ? [] : [detail])),
    warn: forward('warn'),
    error: forward('error')
  }
}
