import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * Test support: a loopback HTTP server that answers each request with a recorded answer in the
 * cloud's documented shape (the local service always answers well; the cloud may not), and
 * keeps what it was asked, so the real client stack (signing, HTTP, parsing) can be tested
 * against it.
 */
export interface Recorded {
  status?: number
  body: unknown
  headers?: Record<string, string>
}

export interface Asked {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingMessage['headers']
  body: string
}

export type Answerer = (asked: Asked) => Recorded | undefined

export interface RecordedService {
  url: string
  asked: Asked[]
  close(): Promise<void>
}

export async function startRecordedService(answer: Answerer): Promise<RecordedService> {
  const asked: Asked[] = []
  const server: Server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://recorded')
      const request = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body
      }
      asked.push(request)
      const reply = answer(request) ?? {
        status: 404,
        body: {
          error_code: 'APIG.0101',
          error_msg: `not recorded: ${request.method} ${url.pathname}`
        }
      }
      res.writeHead(reply.status ?? 200, { 'Content-Type': 'application/json', ...reply.headers })
      res.end(JSON.stringify(reply.body))
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked,
    close: () => new Promise((resolve) => server.close(() => resolve()))
  }
}
