import http from 'node:http'
import https from 'node:https'
import type { FetchAnswer, TimedFetch } from './http'

/**
 * The part of `fetch` that `HttpClient` uses, on `node:http` with keep-alive sockets. For
 * image downloads: thousands of small GETs, where Node's fetch spends more CPU per request
 * than the request itself (10,000 thumbnails from the local service: 2.3-3.2 s of CPU with
 * fetch, 1.1-1.3 s here). The attempt's deadline is one timer of its own, not a timeout
 * signal combined with the caller's (`TimedFetch`). Errors take fetch's shape: a TypeError
 * whose `cause` is the socket error, or the abort reason when the caller's signal fired or the
 * deadline passed (a `TimeoutError`, which reads "timed out").
 */

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true })
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 20

type Init = Parameters<TimedFetch>[1]

export const nodeFetch: TimedFetch = Object.assign(
  (url: URL, init: Init) => new Call(init).send(url, init.method, init.body, 0),
  { timed: true as const }
)

/** One fetch, redirects included: its deadline, the caller's signal, the request in flight. */
class Call {
  private readonly timer: ReturnType<typeof setTimeout>
  private request: http.ClientRequest | null = null
  /** Why the call was stopped (the caller's reason, or the deadline), once it was. */
  private reason: unknown = null
  private settled = false

  constructor(private readonly init: Init) {
    this.timer = setTimeout(
      () =>
        this.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')),
      init.timeoutMs
    )
    this.timer.unref()
    init.signal?.addEventListener('abort', this.onAbort)
    if (init.signal?.aborted) this.abort(init.signal.reason)
  }

  send(url: URL, method: string, body: string | undefined, hops: number): Promise<FetchAnswer> {
    return new Promise((resolve, reject) => {
      const fail = (cause: unknown) => {
        this.finish()
        reject(this.reason ?? new TypeError('fetch failed', { cause }))
      }
      if (this.reason) return fail(null)
      const scheme = url.protocol === 'https:' ? https : url.protocol === 'http:' ? http : null
      if (!scheme) return fail(new Error(`unsupported scheme ${url.protocol}`))
      const req = scheme.request(
        url,
        { method, headers: this.init.headers, agent: agents[url.protocol as keyof typeof agents] },
        (res) => {
          const status = res.statusCode ?? 0
          const location = res.headers.location
          if (REDIRECTS.has(status) && location) {
            res.resume()
            if (this.init.redirect === 'error') return fail(new Error(`redirected to ${location}`))
            if (hops >= MAX_REDIRECTS) return fail(new Error('too many redirects'))
            const next = new URL(location, url)
            const again = status === 303 ? 'GET' : method
            return resolve(this.send(next, again, status === 303 ? undefined : body, hops + 1))
          }
          // eslint-disable-next-line no-restricted-syntax -- the body read below rejects with it
          res.on('error', () => undefined)
          const read = this.read(res)
          // Marked handled until someone asks for the body, who then gets the rejection.
          // eslint-disable-next-line no-restricted-syntax -- the caller awaits `read` itself
          read.catch(() => undefined)
          resolve({
            status,
            headers: { get: (name) => header(res.headers[name.toLowerCase()]) },
            body: {
              cancel: async () => {
                this.finish()
                res.destroy()
              }
            },
            buffer: () => read,
            arrayBuffer: async () => {
              const all = await read
              return new Uint8Array(all).buffer
            }
          })
        }
      )
      this.request = req
      req.on('error', fail)
      req.end(body)
    })
  }

  /** The whole body; the deadline runs until its last byte. */
  private read(res: http.IncomingMessage): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        this.finish()
        resolve(chunks.length === 1 ? Buffer.from(chunks[0]) : Buffer.concat(chunks))
      })
      const failed = (error: Error) => {
        this.finish()
        reject(this.reason ?? error)
      }
      res.on('error', failed)
      res.on('aborted', () => failed(new Error('the answer was cut off')))
    })
  }

  private readonly onAbort = () => this.abort(this.init.signal?.reason)

  private abort(reason: unknown) {
    if (this.settled || this.reason) return
    this.reason = reason
    this.request?.destroy(reason instanceof Error ? reason : new Error('aborted'))
  }

  private finish() {
    if (this.settled) return
    this.settled = true
    clearTimeout(this.timer)
    this.init.signal?.removeEventListener('abort', this.onAbort)
  }
}

function header(value: string | string[] | undefined): string | null {
  if (value === undefined) return null
  return Array.isArray(value) ? value.join(', ') : value
}
