import { maxHeaderSize, STATUS_CODES } from 'node:http'
import type { Socket } from 'node:net'
import { CODES, errorBody } from './errors'

/**
 * Requests Node's HTTP parser refuses before Fastify sees them (headers over the size limit, a
 * malformed head, a head that never finished arriving), answered in the API's error format with
 * a request id, then the connection closed: after a parse error the stream cannot be trusted.
 */
function refusal(error: NodeJS.ErrnoException): { status: number; message: string } {
  if (error.code === 'HPE_HEADER_OVERFLOW')
    return {
      status: 431,
      message: `The request headers are larger than ${Math.round(maxHeaderSize / 1024)} KiB`
    }
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT')
    return { status: 408, message: 'The request took too long to arrive' }
  return { status: 400, message: `Malformed HTTP request (${error.code ?? error.message})` }
}

export function clientErrorHandler(nextId: () => string) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    // A reset connection has no one left to answer.
    if (error.code === 'ECONNRESET' || socket.destroyed) return
    if (!socket.writable) {
      socket.destroy()
      return
    }
    const id = nextId()
    const { status, message } = refusal(error)
    const body = JSON.stringify(errorBody(CODES.param, message, id, false))
    const head = [
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      `X-Request-Id: ${id}`,
      'Connection: close'
    ]
    socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy())
  }
}
