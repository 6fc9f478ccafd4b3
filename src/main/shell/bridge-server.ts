import http from 'node:http'
import { readFile } from 'node:fs/promises'
import { timingSafeEqual } from 'node:crypto'
import type { AddressInfo, Socket } from 'node:net'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import { EVENTS } from '../../shared/channels'
import type { MainCore } from '../core'
import { resolveAppPath } from '../security/app-path'
import { SECURITY_HEADERS } from '../security/csp'
import { contentTypeFor } from '../security/mime'

/**
 * The browser shell's transport: serves the built renderer on loopback and carries IPC calls
 * (over one WebSocket, /bridge/ws, or one POST /bridge/invoke/<channel> each), events (GET
 * /bridge/events, server-sent events) and images (GET /img/...) to the same core Electron
 * uses. No handler logic lives here. The WebSocket is what the page uses: a POST costs
 * Chromium's network stack and this server ~10 ms of a loaded 2-core machine's CPU per call,
 * a frame on an open socket a fraction of that.
 *
 * Guards, in order: the Host header must name this loopback server (no DNS rebinding); every
 * request (and the WebSocket's handshake) must carry the per-run token (cookie set when the
 * printed URL is opened, or the X-Tagdeck-Token header); calls must come from this server's
 * own Origin.
 */
export interface BridgeOptions {
  core: MainCore
  rendererDir: string
  token: string
  host?: string
  port?: number
}

export interface RunningBridge {
  origin: string
  /** The address to open: carries the token once, then the cookie takes over. */
  startUrl: string
  close(): Promise<void>
}

const COOKIE = 'tagdeck_token'
const MAX_BODY = 1024 * 1024

function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

function cookieToken(req: http.IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=')
    if (name === COOKIE) return rest.join('=')
  }
  return undefined
}

function send(
  res: http.ServerResponse,
  status: number,
  body: string | Buffer,
  headers: Record<string, string> = {}
): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Cache-Control': 'no-store',
    ...SECURITY_HEADERS,
    ...headers
  })
  res.end(body)
}

function readBody(req: http.IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    let size = 0
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY) {
        resolve(null)
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** A call over the WebSocket: `id` comes back with its result. */
interface SocketCall {
  id: number
  channel: string
  input?: unknown
}

function parseSocketCall(data: RawData): SocketCall | null {
  let message: unknown
  try {
    message = JSON.parse(data.toString())
  } catch {
    return null
  }
  if (typeof message !== 'object' || message === null) return null
  const { id, channel } = message as Record<string, unknown>
  if (!Number.isSafeInteger(id) || typeof channel !== 'string') return null
  return message as SocketCall
}

export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const { core, rendererDir, token } = options
  const host = options.host ?? '127.0.0.1'
  const clients = new Set<http.ServerResponse>()
  let origin = ''
  let allowedHosts = new Set<string>()
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY })

  const unsubscribe = core.events.subscribe((name, payload) => {
    const frame = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`
    for (const client of clients) client.write(frame)
  })

  const server = http.createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(res, 500, `Internal error: ${error instanceof Error ? error.message : String(error)}`)
      else res.destroy()
    })
  })

  /** Why a request may not go further (host, token, origin), or null when it may. */
  function refusal(req: http.IncomingMessage): { status: number; message: string } | null {
    if (!allowedHosts.has(req.headers.host ?? '')) return { status: 421, message: 'Wrong host' }
    const authorized =
      sameToken(cookieToken(req), token) || sameToken(header(req, 'x-tagdeck-token'), token)
    if (!authorized)
      return {
        status: 403,
        message: "Open the address Tagdeck printed when it started: it carries this run's token."
      }
    return null
  }

  /** Calls come from this server's own page only. */
  const foreign = (req: http.IncomingMessage) =>
    req.headers.origin !== origin
      ? { status: 403, message: 'Cross-origin calls are refused' }
      : null

  // The page's calls: one frame in, one frame out, each answered when its handler is done
  // (calls run side by side, as IPC calls do). A frame that is not a call is refused by name.
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    const refused =
      new URL(req.url ?? '/', origin).pathname !== '/bridge/ws'
        ? { status: 404, message: 'Not found' }
        : (refusal(req) ?? foreign(req))
    if (refused) {
      socket.end(
        `HTTP/1.1 ${refused.status} Refused\r\nContent-Type: text/plain; charset=utf-8\r\n` +
          `Connection: close\r\n\r\n${refused.message}`
      )
      return
    }
    sockets.handleUpgrade(req, socket, head, (ws) => serveCalls(ws))
  })

  function serveCalls(ws: WebSocket) {
    ws.on('message', (data) => {
      const call = parseSocketCall(data)
      if (!call) {
        const error = {
          code: 'invalid_input',
          message: 'A call is {"id", "channel", "input"} as JSON'
        }
        ws.send(JSON.stringify({ id: null, result: { ok: false, error } }))
        return
      }
      void core.router.dispatch(call.channel, call.input, { origin }).then(
        (result) => ws.send(JSON.stringify({ id: call.id, result })),
        (error: unknown) => {
          const message = `Internal error: ${error instanceof Error ? error.message : String(error)}`
          ws.send(
            JSON.stringify({
              id: call.id,
              result: { ok: false, error: { code: 'internal', message } }
            })
          )
        }
      )
    })
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    if (!allowedHosts.has(req.headers.host ?? '')) return send(res, 421, 'Wrong host')
    const url = new URL(req.url ?? '/', origin)
    const queryToken = url.searchParams.get('token') ?? undefined

    // Opening the printed URL: trade the query token for an HttpOnly cookie, then drop it from the address.
    if (req.method === 'GET' && url.pathname === '/' && queryToken !== undefined) {
      if (!sameToken(queryToken, token))
        return send(res, 403, 'This link is not valid for this run of Tagdeck.')
      return send(res, 302, '', {
        Location: '/',
        'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`
      })
    }
    const refused = refusal(req)
    if (refused) return send(res, refused.status, refused.message)

    if (url.pathname.startsWith('/bridge/invoke/')) {
      if (req.method !== 'POST') return send(res, 405, 'POST only', { Allow: 'POST' })
      const crossOrigin = foreign(req)
      if (crossOrigin) return send(res, crossOrigin.status, crossOrigin.message)
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        return send(res, 415, 'JSON only')
      const raw = await readBody(req)
      if (raw === null) return send(res, 413, 'Body too large')
      let body: unknown
      try {
        body = raw === '' ? {} : JSON.parse(raw)
      } catch {
        return send(res, 400, 'Body is not JSON')
      }
      const input =
        typeof body === 'object' && body !== null && 'input' in body ? body.input : undefined
      const channel = decodeURIComponent(url.pathname.slice('/bridge/invoke/'.length))
      const result = await core.router.dispatch(channel, input, { origin })
      return send(res, 200, JSON.stringify(result), { 'Content-Type': 'application/json' })
    }

    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, 'GET only', { Allow: 'GET' })
    // Subresource and EventSource requests carry no Origin; browsers do send Sec-Fetch-Site.
    const site = header(req, 'sec-fetch-site')
    if (site && site !== 'same-origin' && site !== 'none')
      return send(res, 403, 'Cross-site requests are refused')

    if (url.pathname === '/bridge/events') {
      res.writeHead(200, {
        'Content-Type': 'text/event-stream',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive'
      })
      res.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ events: EVENTS })}\n\n`)
      clients.add(res)
      req.on('close', () => clients.delete(res))
      return
    }
    if (url.pathname.startsWith('/img/')) {
      const reply = await core.serveImage(url.pathname.slice('/img/'.length))
      return send(res, reply.status, reply.body, {
        'Content-Type': reply.contentType,
        ...reply.headers
      })
    }
    const file = resolveAppPath(rendererDir, url.pathname)
    if (!file) return send(res, 404, 'Not found')
    let bytes: Buffer
    try {
      bytes = await readFile(file)
    } catch {
      return send(res, 404, 'Not found')
    }
    const cache = url.pathname.startsWith('/assets/')
      ? 'public, max-age=31536000, immutable'
      : 'no-store'
    return send(res, 200, bytes, { 'Content-Type': contentTypeFor(file), 'Cache-Control': cache })
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, host, () => resolve())
  })
  const { port } = server.address() as AddressInfo
  origin = `http://${host}:${port}`
  // Only the exact host we print: the page's Origin must match it for calls to pass.
  allowedHosts = new Set([`${host}:${port}`])

  return {
    origin,
    startUrl: `${origin}/?token=${token}`,
    async close() {
      unsubscribe()
      for (const ws of sockets.clients) ws.terminate()
      sockets.close()
      for (const client of clients) client.end()
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}
