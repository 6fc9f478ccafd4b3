import http from 'node:http'
import { readFile } from 'node:fs/promises'
import { timingSafeEqual } from 'node:crypto'
import type { AddressInfo } from 'node:net'
import { EVENTS } from '../../shared/channels'
import type { MainCore } from '../core'
import { resolveAppPath } from '../security/app-path'
import { SECURITY_HEADERS } from '../security/csp'
import { contentTypeFor } from '../security/mime'

/**
 * The browser shell's transport: serves the built renderer on loopback and carries IPC calls
 * (POST /bridge/invoke/<channel>), events (GET /bridge/events, server-sent events) and images
 * (GET /img/...) to the same core Electron uses. No handler logic lives here.
 *
 * Guards, in order: the Host header must name this loopback server (no DNS rebinding); every
 * request must carry the per-run token (cookie set when the printed URL is opened, or the
 * X-Tagdeck-Token header); calls must come from this server's own Origin.
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

export async function startBridge(options: BridgeOptions): Promise<RunningBridge> {
  const { core, rendererDir, token } = options
  const host = options.host ?? '127.0.0.1'
  const clients = new Set<http.ServerResponse>()
  let origin = ''
  let allowedHosts = new Set<string>()

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
    const authorized =
      sameToken(cookieToken(req), token) || sameToken(header(req, 'x-tagdeck-token'), token)
    if (!authorized) {
      return send(
        res,
        403,
        "Open the address Tagdeck printed when it started: it carries this run's token."
      )
    }

    if (url.pathname.startsWith('/bridge/invoke/')) {
      if (req.method !== 'POST') return send(res, 405, 'POST only', { Allow: 'POST' })
      if (req.headers.origin !== origin) return send(res, 403, 'Cross-origin calls are refused')
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
