// Not Fastify (bench bridge-routing): no faster on files and upgrades, 5-8% more CPU on /img/.
import http from 'node:http'
import { readFile } from 'node:fs/promises'
import type { AddressInfo, Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { EVENTS } from '../../shared/channels'
import type { MainCore } from '../core'
import { resolveAppPath } from '../security/app-path'
import { SECURITY_HEADERS } from '../security/csp'
import { contentTypeFor } from '../security/mime'
import {
  TOKEN_PARAM,
  foreignOrigin,
  header,
  missingToken,
  requestUrl,
  wrongHost,
  type Refusal
} from './bridge-guard'
import { serveCalls } from './bridge-socket'
import { log as mainLog } from '../log'

/**
 * The browser shell's transport: serves the built renderer on loopback and carries IPC calls
 * (over one WebSocket, /bridge/ws, or one POST /bridge/invoke/<channel> each), events (GET
 * /bridge/events, server-sent events) and images (GET /img/...) to the same core Electron
 * uses. No handler logic lives here. The WebSocket is what the page uses: a POST costs
 * Chromium's network stack and this server ~10 ms of a loaded 2-core machine's CPU per call,
 * a frame on an open socket a fraction of that.
 *
 * Who may use it is `bridge-guard.ts`: the exact Host, this run's token on everything that
 * carries data (`/bridge/*`, `/img/*`), the page's own Origin on calls. The token is never a
 * cookie (a browser sends a 127.0.0.1 cookie to every port, so every other local server would
 * receive it): the printed address carries it in its fragment, which no request sends, and the
 * page sends it back as a header or query parameter. The renderer's own files hold no secret
 * and are served without it, so the page can load and read its address; nothing here sets a
 * cookie or reads one.
 *
 * Nothing a client sends can stop the server: every listener (the server's requests, parse
 * errors and upgrades, each socket, each WebSocket and its messages, the event stream's writes)
 * is guarded, and a bad request, upgrade or frame is answered 4xx or closes that one connection,
 * and is logged (`bridge-fuzz.test.ts` throws a few hundred of them at it).
 */
export interface BridgeOptions {
  core: MainCore
  rendererDir: string
  token: string
  host?: string
  port?: number
  /** Where refused connections and failures are reported (stderr by default). */
  log?: (message: string, error?: unknown) => void
}

export interface RunningBridge {
  origin: string
  /** The address to open: carries the token in its fragment, which no request sends. */
  startUrl: string
  close(): Promise<void>
}

const MAX_BODY = 1024 * 1024
/** Request heads larger than this are refused (431) before any handler sees them. */
const MAX_HEADER_BYTES = 16 * 1024

const shellLog = mainLog.child('shell')
function defaultLog(message: string, error?: unknown): void {
  shellLog.warn(message, error)
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

/** Ends a raw socket (a refused upgrade, a request Node could not parse) with a plain status. */
function refuseSocket(socket: Duplex, refusal: Refusal): void {
  if (!socket.writable) return void socket.destroy()
  socket.end(
    `HTTP/1.1 ${refusal.status} Refused\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Connection: close\r\n\r\n${refusal.message}`
  )
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

export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const { core, rendererDir, token } = options
  const log = options.log ?? defaultLog
  const host = options.host ?? '127.0.0.1'
  const clients = new Set<http.ServerResponse>()
  let origin = ''
  let allowedHosts: ReadonlySet<string> = new Set<string>()
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY })

  const unsubscribe = core.events.subscribe((name, payload) => {
    const frame = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`
    // A client whose connection just dropped may not be removed yet: skip it, never write to it.
    for (const client of clients)
      if (!client.destroyed && !client.writableEnded) client.write(frame)
  })

  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    req.on('error', (error) => log('bridge: request failed', error))
    res.on('error', (error) => log('bridge: response failed', error))
    handle(req, res).catch((error: unknown) => {
      // The path only: a query may carry the token, which has no place in a log.
      log(`bridge: ${req.method ?? '?'} ${(req.url ?? '?').split('?')[0]} failed`, error)
      if (!res.headersSent)
        send(res, 500, `Internal error: ${error instanceof Error ? error.message : String(error)}`)
      else res.destroy()
    })
  })

  // What Node could not parse (bad request line, oversized head, junk bytes): answered on the
  // raw socket and closed, never thrown.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    log(`bridge: a malformed request was refused (${error.code ?? error.message})`)
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400
    refuseSocket(socket, { status, message: status === 431 ? 'Headers too large' : 'Bad request' })
  })
  server.on('error', (error) => log('bridge: server error', error))

  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', (error) => log('bridge: upgrade socket failed', error))
    try {
      const url = requestUrl(req, origin)
      const refused = !url
        ? { status: 400, message: 'Bad request target' }
        : url.pathname !== '/bridge/ws'
          ? { status: 404, message: 'Not found' }
          : (wrongHost(req, allowedHosts) ??
            missingToken(req, url, token) ??
            foreignOrigin(req, origin))
      if (refused) {
        log(`bridge: WebSocket handshake refused (${refused.status} ${refused.message})`)
        return refuseSocket(socket, refused)
      }
      sockets.handleUpgrade(req, socket, head, (ws) => serveCalls(ws, core, origin, log))
    } catch (error) {
      log('bridge: WebSocket handshake failed', error)
      socket.destroy()
    }
  })

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const badHost = wrongHost(req, allowedHosts)
    if (badHost) return send(res, badHost.status, badHost.message)
    const url = requestUrl(req, origin)
    if (!url) return send(res, 400, 'Bad request target')
    const isData = url.pathname.startsWith('/bridge/') || url.pathname.startsWith('/img/')
    if (isData) {
      const refused = missingToken(req, url, token)
      if (refused) return send(res, refused.status, refused.message)
    }

    if (url.pathname.startsWith('/bridge/invoke/')) {
      if (req.method !== 'POST') return send(res, 405, 'POST only', { Allow: 'POST' })
      const crossOrigin = foreignOrigin(req, origin)
      if (crossOrigin) return send(res, crossOrigin.status, crossOrigin.message)
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        return send(res, 415, 'JSON only')
      let channel: string
      try {
        channel = decodeURIComponent(url.pathname.slice('/bridge/invoke/'.length))
        // eslint-disable-next-line no-restricted-syntax -- answered 400, which is the trace the caller needs
      } catch {
        return send(res, 400, 'Bad channel name')
      }
      const raw = await readBody(req)
      if (raw === null) return send(res, 413, 'Body too large')
      let body: unknown
      try {
        body = raw === '' ? {} : JSON.parse(raw)
        // eslint-disable-next-line no-restricted-syntax -- answered 400, which is the trace the caller needs
      } catch {
        return send(res, 400, 'Body is not JSON')
      }
      const input =
        typeof body === 'object' && body !== null && 'input' in body ? body.input : undefined
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
    if (isData) return send(res, 404, 'Not found')
    // The renderer's own files hold no secret: served without the token, so the page can load
    // and read the token from its address.
    const file = resolveAppPath(rendererDir, url.pathname)
    if (!file) return send(res, 404, 'Not found')
    let bytes: Buffer
    try {
      bytes = await readFile(file)
      // eslint-disable-next-line no-restricted-syntax -- answered 404, which is the trace the page needs
    } catch {
      return send(res, 404, 'Not found') // a path inside the folder that is not a file
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
    startUrl: `${origin}/#${TOKEN_PARAM}=${token}`,
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
