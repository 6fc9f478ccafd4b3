import type { RawData, WebSocket } from 'ws'
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
  const reply = (body: unknown) => {
    if (ws.readyState !== ws.OPEN) return // the page went away: nobody to answer
    ws.send(JSON.stringify(body), (error) => {
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
      const error = {
        code: 'invalid_input',
        message: 'A call is {"id", "channel", "input"} as JSON'
      }
      return reply({ id: null, result: { ok: false, error } })
    }
    core.router.dispatch(call.channel, call.input, { origin }).then(
      (result) => reply({ id: call.id, result }),
      (error: unknown) => {
        log(`bridge: ${call.channel} failed`, error)
        const message = `Internal error: ${error instanceof Error ? error.message : String(error)}`
        reply({ id: call.id, result: { ok: false, error: { code: 'internal', message } } })
      }
    )
  })
}
