import type { Server } from 'node:http'
import type { Socket } from 'node:net'

/**
 * The server's connections and what each is doing, so that closing waits for answers, not for
 * idle connections. Without it, a keep-alive connection whose request was in flight when
 * closing began stays open after its answer until Fastify's keep-alive timeout (72 s), and one
 * a client opened without sending a request (Chromium opens some ahead) until Node's headers
 * timeout: closing the service took 73 s whenever a request was under way.
 */

/** A connection that has not sent a request this long after it opened is not going to. */
const SILENT_MS = 1_000

interface Connection {
  openedAt: number
  inFlight: number
  answered: number
}

export function trackConnections(server: Server, now: () => number = Date.now) {
  const connections = new Map<Socket, Connection>()
  server.on('connection', (socket: Socket) => {
    connections.set(socket, { openedAt: now(), inFlight: 0, answered: 0 })
    socket.once('close', () => connections.delete(socket))
  })
  server.on('request', (req, res) => {
    const connection = connections.get(req.socket)
    if (!connection) return
    connection.inFlight += 1
    res.once('close', () => {
      connection.inFlight -= 1
      connection.answered += 1
    })
  })
  return {
    /**
     * Ends each connection with nothing in flight that has been answered before, or has sent
     * nothing for `SILENT_MS` (a fresh one may have its request on the way).
     */
    closeIdle(): void {
      const t = now()
      for (const [socket, c] of connections) {
        if (c.inFlight === 0 && (c.answered > 0 || t - c.openedAt >= SILENT_MS)) socket.destroy()
      }
    }
  }
}

/**
 * Closes a server through `close` (which stops accepting and waits for the requests in
 * flight), ending each connection as soon as it is idle.
 */
export async function closeServer(
  close: () => Promise<unknown>,
  connections: ReturnType<typeof trackConnections>,
  sweepMs = 25
): Promise<void> {
  const closing = close()
  connections.closeIdle()
  const sweep = setInterval(() => connections.closeIdle(), sweepMs)
  try {
    await closing
  } finally {
    clearInterval(sweep)
  }
}
