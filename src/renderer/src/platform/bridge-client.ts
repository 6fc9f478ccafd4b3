import { EVENTS, type ChannelName, type EventName } from '../../../shared/channels'
import { channelFunctions, imagePath, type TagdeckApi } from '../../../shared/api'
import type { ChannelOutput, EventPayload } from '../../../shared/ipc'
import type { IpcResult } from '../../../shared/errors'

/**
 * The browser shell's stand-in for the preload: the same functions, carried over the loopback
 * bridge. Calls go over one WebSocket while it is open (a frame each way), else as one POST
 * each: the socket is the fast path, the POST the one that always works (before the socket
 * opens, after it drops).
 *
 * This run's token comes in the printed address's fragment (`#token=…`, which no request
 * sends). The page keeps it in sessionStorage, which belongs to this tab and this origin (another
 * port is another origin: no other local server can read it, unlike a cookie, which a browser
 * sends to every port of 127.0.0.1), so a reload keeps working; and takes it out of the address
 * bar and the tab's back/forward list at once (the browser's history list may keep the address
 * as opened: a token is good for one run only). It goes with every call as a header, and as a
 * query parameter where a browser cannot set one (the WebSocket, the event stream, images):
 * those are the page's own requests, never an address the user sees.
 *
 * Answers and events arrive as JSON and are taken as their channel's types unchecked, as the
 * preload takes ipcRenderer's: main checked them against the channel's schemas before sending.
 */
const TOKEN_KEY = 'tagdeck.shellToken'

/** Reads the token from the address (then removes it from there) or from this tab's storage. */
export function takeShellToken(): string | null {
  if (typeof location === 'undefined') return null
  const given = new URLSearchParams(location.hash.slice(1)).get('token')
  if (given) {
    try {
      sessionStorage.setItem(TOKEN_KEY, given)
    } catch (error) {
      console.warn('Tagdeck: the shell token could not be kept for reloads', error)
    }
    history.replaceState(history.state, '', location.pathname + location.search)
    return given
  }
  try {
    return sessionStorage.getItem(TOKEN_KEY)
  } catch (error) {
    // Storage disabled: the bridge then answers that the token is missing, and says what to open.
    console.warn('Tagdeck: the shell token could not be read', error)
    return null
  }
}

export function createBridgeClient(base = '', token = takeShellToken()): TagdeckApi {
  const withToken = (path: string) =>
    token === null
      ? path
      : `${path}${path.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`
  const post = async <C extends ChannelName>(
    channel: C,
    input: unknown
  ): Promise<IpcResult<ChannelOutput<C>>> => {
    try {
      const response = await fetch(`${base}/bridge/invoke/${channel}`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token === null ? {} : { 'X-Tagdeck-Token': token })
        },
        credentials: 'omit',
        body: JSON.stringify({ input })
      })
      if (!response.ok) {
        const text = await response.text()
        return {
          ok: false,
          error: {
            code: 'internal',
            message: `Tagdeck host refused the call (${response.status}): ${text}`
          }
        }
      }
      const envelope: IpcResult<ChannelOutput<C>> = await response.json()
      return envelope
    } catch (error) {
      console.warn('Tagdeck: a call to the shell failed', error)
      return { ok: false, error: { code: 'internal', message: 'Tagdeck host is not responding' } }
    }
  }
  // No token, no socket (its handshake is refused): each call is a POST, whose refusal says why.
  const socket = token === null ? { call: () => null } : callSocket(base, withToken)
  const functions = channelFunctions(
    (channel, ...args) => socket.call(channel, args[0]) ?? post(channel, args[0])
  )

  const listeners: { [E in EventName]: Set<(payload: EventPayload<E>) => void> } = {
    connectivity: new Set(),
    'images.progress': new Set(),
    'updates.state': new Set()
  }
  let source: EventSource | null = null
  const ensureSource = () => {
    if (source) return
    const opened = new EventSource(withToken(`${base}/bridge/events`))
    source = opened
    const deliver = <E extends EventName>(event: E) =>
      opened.addEventListener(event, (message) => {
        const payload: EventPayload<E> = JSON.parse(String(message.data))
        for (const listener of listeners[event]) listener(payload)
      })
    for (const event of EVENTS) deliver(event)
  }

  return {
    ...functions,
    shell: 'browser',
    on(event, listener) {
      ensureSource()
      listeners[event].add(listener)
      return () => {
        listeners[event].delete(listener)
      }
    },
    imageUrl(connectionId, jobId, sampleId, variant) {
      return withToken(`${base}/img/${imagePath(connectionId, jobId, sampleId, variant)}`)
    }
  }
}

const LOST: IpcResult<never> = {
  ok: false,
  error: { code: 'internal', message: 'Tagdeck host is not responding (the connection dropped)' }
}

/**
 * The WebSocket to the shell, opened at once and again a second after it drops. `call` sends
 * over it when it is open, and returns null when it is not (the caller posts instead). A call
 * whose socket drops before its answer fails as a POST whose connection dropped would: it may
 * have run (callers that change things, like the sync, count on that already).
 */
function callSocket(base: string, withToken: (path: string) => string) {
  // Each waiting call's resolve, which takes its own channel's envelope: `IpcResult<never>` is
  // the type all of them accept (LOST, or an answer off the wire, JSON's any).
  const pending = new Map<number, (result: IpcResult<never>) => void>()
  let nextId = 1
  let ws: WebSocket | null = null
  const open = () => {
    const url = new URL(withToken(`${base}/bridge/ws`), location.href)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    const socket = new WebSocket(url)
    ws = socket
    socket.onmessage = (message) => {
      // main's answer to call `id`: the envelope for that call's channel
      const { id, result }: { id: number | null; result: IpcResult<never> } = JSON.parse(
        String(message.data)
      )
      const resolve = id === null ? undefined : pending.get(id)
      if (!resolve) return
      pending.delete(id as number)
      resolve(result)
    }
    socket.onclose = () => {
      if (ws === socket) ws = null
      for (const resolve of pending.values()) resolve(LOST)
      pending.clear()
      setTimeout(open, 1000)
    }
  }
  if (typeof WebSocket !== 'undefined' && typeof location !== 'undefined') open()
  return {
    call<C extends ChannelName>(
      channel: C,
      input: unknown
    ): Promise<IpcResult<ChannelOutput<C>>> | null {
      if (ws?.readyState !== WebSocket.OPEN) return null
      const id = nextId++
      const socket = ws
      return new Promise((resolve) => {
        pending.set(id, resolve)
        socket.send(JSON.stringify({ id, channel, input }))
      })
    }
  }
}
