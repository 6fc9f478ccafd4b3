import Fastify, { type FastifyReply } from 'fastify'
import { readFile } from 'node:fs/promises'
import type { Socket } from 'node:net'
import type { Duplex } from 'node:stream'
import { WebSocketServer } from 'ws'
import { EVENTS } from '../src/shared/channels'
import { resolveAppPath } from '../src/main/security/app-path'
import { SECURITY_HEADERS } from '../src/main/security/csp'
import { contentTypeFor } from '../src/main/security/mime'
import {
  TOKEN_PARAM,
  foreignOrigin,
  header,
  missingToken,
  requestUrl,
  wrongHost,
  type Refusal
} from '../src/main/shell/bridge-guard'
import type { BridgeOptions, RunningBridge } from '../src/main/shell/bridge-server'
import { serveCalls } from '../src/main/shell/bridge-socket'

/**
 * For `bridge-routing.bench.ts`: the browser shell's bridge (`src/main/shell/bridge-server.ts`)
 * on Fastify, as short as it goes with the same guard rules (`bridge-guard.ts`: the exact Host,
 * the token on `/bridge/*` and `/img/*`, the page's Origin on calls, no cross-site GETs) and the
 * same routes: the renderer's files, `/img/*`, POST `/bridge/invoke/<channel>`, the event
 * stream, and the WebSocket. Fastify has no say in the WebSocket's upgrade without
 * @fastify/websocket (not a dependency): it is the same handler on Fastify's own server.
 */
const MAX_BODY = 1024 * 1024

function refuseSocket(socket: Duplex, refusal: Refusal): void {
  if (!socket.writable) return void socket.destroy()
  socket.end(
    `HTTP/1.1 ${refusal.status} Refused\r\nContent-Type: text/plain; charset=utf-8\r\n` +
      `Connection: close\r\n\r\n${refusal.message}`
  )
}

const refuse = (reply: FastifyReply, refusal: Refusal) =>
  reply.code(refusal.status).type('text/plain; charset=utf-8').send(refusal.message)

export async function startFastifyBridge(options: BridgeOptions): Promise<RunningBridge> {
  const { core, rendererDir, token } = options
  const log = options.log ?? ((message: string, error?: unknown) => console.warn(message, error))
  const host = options.host ?? '127.0.0.1'
  let origin = ''
  let allowedHosts: ReadonlySet<string> = new Set<string>()
  const clients = new Set<import('node:http').ServerResponse>()
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY })
  const app = Fastify({ bodyLimit: MAX_BODY, logger: false })

  const unsubscribe = core.events.subscribe((name, payload) => {
    const frame = `event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`
    for (const client of clients)
      if (!client.destroyed && !client.writableEnded) client.write(frame)
  })

  app.addHook('onRequest', async (request, reply) => {
    reply.headers({ 'Cache-Control': 'no-store', ...SECURITY_HEADERS })
    const refused = wrongHost(request.raw, allowedHosts)
    if (refused) return refuse(reply, refused)
    const url = requestUrl(request.raw, origin)
    if (!url) return refuse(reply, { status: 400, message: 'Bad request target' })
    if (url.pathname.startsWith('/bridge/') || url.pathname.startsWith('/img/')) {
      const noToken = missingToken(request.raw, url, token)
      if (noToken) return refuse(reply, noToken)
    }
    const site = header(request.raw, 'sec-fetch-site')
    if (request.method === 'GET' && site && site !== 'same-origin' && site !== 'none')
      return refuse(reply, { status: 403, message: 'Cross-site requests are refused' })
  })

  app.post<{ Params: { channel: string }; Body: unknown }>(
    '/bridge/invoke/:channel',
    async (request, reply) => {
      const crossOrigin = foreignOrigin(request.raw, origin)
      if (crossOrigin) return refuse(reply, crossOrigin)
      const body = request.body
      const input =
        typeof body === 'object' && body !== null && 'input' in body ? body.input : undefined
      return core.router.dispatch(request.params.channel, input, { origin })
    }
  )

  app.get('/bridge/events', (request, reply) => {
    reply.hijack()
    reply.raw.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive'
    })
    reply.raw.write(`retry: 1000\nevent: hello\ndata: ${JSON.stringify({ events: EVENTS })}\n\n`)
    clients.add(reply.raw)
    request.raw.on('close', () => clients.delete(reply.raw))
  })

  app.get<{ Params: { '*': string } }>('/img/*', async (request, reply) => {
    const image = await core.serveImage(request.params['*'])
    return reply
      .code(image.status)
      .headers({ 'Content-Type': image.contentType, ...image.headers })
      .send(image.body)
  })

  // The renderer's own files hold no secret: served without the token.
  app.get('/*', async (request, reply) => {
    const pathname = (request.raw.url ?? '/').split('?')[0] ?? '/'
    const file = pathname.startsWith('/bridge/') ? null : resolveAppPath(rendererDir, pathname)
    if (!file) return refuse(reply, { status: 404, message: 'Not found' })
    let bytes: Buffer
    try {
      bytes = await readFile(file)
    } catch {
      return refuse(reply, { status: 404, message: 'Not found' }) // not a file
    }
    const cache = pathname.startsWith('/assets/')
      ? 'public, max-age=31536000, immutable'
      : 'no-store'
    return reply
      .headers({ 'Content-Type': contentTypeFor(file), 'Cache-Control': cache })
      .send(bytes)
  })

  app.server.on('upgrade', (req: import('node:http').IncomingMessage, socket: Socket, head) => {
    socket.on('error', (error) => log('bridge: upgrade socket failed', error))
    const url = requestUrl(req, origin)
    const refused = !url
      ? { status: 400, message: 'Bad request target' }
      : url.pathname !== '/bridge/ws'
        ? { status: 404, message: 'Not found' }
        : (wrongHost(req, allowedHosts) ??
          missingToken(req, url, token) ??
          foreignOrigin(req, origin))
    if (refused) return refuseSocket(socket, refused)
    sockets.handleUpgrade(req, socket, head, (ws) => serveCalls(ws, core, origin, log))
  })

  await app.listen({ port: options.port ?? 0, host })
  const address = app.server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  origin = `http://${host}:${port}`
  allowedHosts = new Set([`${host}:${port}`])
  return {
    origin,
    startUrl: `${origin}/#${TOKEN_PARAM}=${token}`,
    async close() {
      unsubscribe()
      for (const ws of sockets.clients) ws.terminate()
      sockets.close()
      for (const client of clients) client.end()
      await app.close()
    }
  }
}
