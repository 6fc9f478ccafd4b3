import { CHANNELS, EVENTS, type EventName } from '../../../shared/channels'
import { imagePath, type TagdeckApi } from '../../../shared/api'
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
  const post = async (channel: string, input?: unknown): Promise<IpcResult<unknown>> => {
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
      return (await response.json()) as IpcResult<unknown>
    } catch (error) {
      console.warn('Tagdeck: a call to the shell failed', error)
      return { ok: false, error: { code: 'internal', message: 'Tagdeck host is not responding' } }
    }
  }
  // No token, no socket (its handshake is refused): each call is a POST, whose refusal says why.
  const socket = token === null ? { call: () => null } : callSocket(base, withToken)
  const functions: Record<string, (input?: unknown) => Promise<IpcResult<unknown>>> = {}
  for (const channel of CHANNELS) {
    functions[channel] = (input?: unknown) => socket.call(channel, input) ?? post(channel, input)
  }

  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  let source: EventSource | null = null
  const ensureSource = () => {
    if (source) return
    source = new EventSource(withToken(`${base}/bridge/events`))
    for (const event of EVENTS) {
      source.addEventListener(event, (message) => {
        const payload: unknown = JSON.parse((message as MessageEvent<string>).data)
        for (const listener of listeners.get(event) ?? []) listener(payload)
      })
    }
  }

  return {
    ...functions,
    shell: 'browser',
    on(event: EventName, listener: (payload: unknown) => void) {
      ensureSource()
      const set = listeners.get(event) ?? new Set()
      set.add(listener)
      listeners.set(event, set)
      return () => set.delete(listener)
    },
    imageUrl(connectionId: string, jobId: string, sampleId: string, variant: 'thumb' | 'full') {
      return withToken(`${base}/img/${imagePath(connectionId, jobId, sampleId, variant)}`)
    }
  } as unknown as TagdeckApi
}

const LOST: IpcResult<unknown> = {
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
  const pending = new Map<number, (result: IpcResult<unknown>) => void>()
  let nextId = 1
  let ws: WebSocket | null = null
  const open = () => {
    const url = new URL(withToken(`${base}/bridge/ws`), location.href)
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
    const socket = new WebSocket(url)
    ws = socket
    socket.onmessage = (message) => {
      const { id, result } = JSON.parse(String(message.data)) as {
        id: number | null
        result: IpcResult<unknown>
      }
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
    call(channel: string, input?: unknown): Promise<IpcResult<unknown>> | null {
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
