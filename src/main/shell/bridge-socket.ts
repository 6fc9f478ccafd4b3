import type { RawData, WebSocket } from 'ws'
import type { IpcResult } from '../../shared/errors'
import type { MainCore } from '../core'

/**
 * The page's calls over the bridge's WebSocket: one frame in (`{id, channel, input}`), one
 * frame out (`{id, result}`), each answered when its handler is done (calls run side by side,
 * as IPC calls do). A frame that is not a call is refused by name; a socket that errs (a bad
 * frame, a payload over the limit, a dropped connection) is closed and logged, and nothing a
 * client sends can throw out of here.
 */
interface SocketCall {
  id: number
  channel: string
  input?: unknown
}

function parseCall(data: RawData, isBinary: boolean): SocketCall | null {
  if (isBinary) return null
  let message: unknown
  try {
    message = JSON.parse(data.toString())
    // eslint-disable-next-line no-restricted-syntax -- null is answered invalid_input below, by name
  } catch {
    return null // not JSON: refused below, by name
  }
  if (typeof message !== 'object' || message === null) return null
  const { id, channel } = message as Record<string, unknown>
  if (!Number.isSafeInteger(id) || typeof channel !== 'string') return null
  return message as SocketCall
}

export function serveCalls(
  ws: WebSocket,
  core: MainCore,
  origin: string,
  log: (message: string, error?: unknown) => void
): void {
  const reply = (id: number | null, result: IpcResult<unknown>) => {
    if (ws.readyState !== ws.OPEN) return // the page went away: nobody to answer
    let text: string
    try {
      text = JSON.stringify({ id, result })
    } catch (error) {
      // Thrown in a promise's callback, this would be an unhandled rejection: the process's end.
      log('bridge: an answer could not be encoded', error)
      const message = 'The answer could not be encoded'
      text = JSON.stringify({ id, result: { ok: false, error: { code: 'internal', message } } })
    }
    ws.send(text, (error) => {
      if (error) log('bridge: an answer could not be sent', error)
    })
  }
  ws.on('error', (error) => {
    log('bridge: WebSocket closed after an error', error)
    ws.terminate()
  })
  ws.on('message', (data, isBinary) => {
    const call = parseCall(data, isBinary)
    if (!call) {
      const message = 'A call is {"id", "channel", "input"} as JSON'
      return reply(null, { ok: false, error: { code: 'invalid_input', message } })
    }
    core.router.dispatch(call.channel, call.input, { origin }).then(
      (result) => reply(call.id, result),
      (error: unknown) => {
        log(`bridge: ${call.channel} failed`, error)
        const message = `Internal error: ${error instanceof Error ? error.message : String(error)}`
        reply(call.id, { ok: false, error: { code: 'internal', message } })
      }
    )
  })
}
