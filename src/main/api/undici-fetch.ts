import { Agent, request } from 'undici'
import type { FetchAnswer, TimedFetch } from './http'

/**
 * The part of `fetch` that `HttpClient` uses, on undici's `request` over kept-alive
 * connections. For image downloads: thousands of small GETs, where the transport's own CPU per
 * request competes with everything else on the machine (caching a 10,000-image job from the
 * local service, `npm run bench -- offline`: the shell spent 2.2-2.3 s of CPU on undici, 2.4-2.9 s
 * on `node:http` with keep-alive, which replaced Node's fetch at 2.3-3.2 s). The attempt's deadline is one timer of
 * its own, not a timeout signal combined with the caller's (`TimedFetch`). Errors take fetch's
 * shape: a TypeError whose `cause` is the socket error, or the abort reason when the caller's
 * signal fired or the deadline passed (a `TimeoutError`, which reads "timed out").
 */

const agent = new Agent({ keepAliveTimeout: 30_000 })

const REDIRECTS = new Set([301, 302, 303, 307, 308])
const MAX_REDIRECTS = 20

type Init = Parameters<TimedFetch>[1]

export const undiciFetch: TimedFetch = Object.assign(
  (url: URL, init: Init) => new Call(init).send(url, init.method, init.body, 0),
  { timed: true as const }
)

/** One fetch, redirects included: its deadline, the caller's signal, the request in flight. */
class Call {
  private readonly timer: ReturnType<typeof setTimeout>
  private readonly controller = new AbortController()
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

  async send(
    url: URL,
    method: string,
    body: string | undefined,
    hops: number
  ): Promise<FetchAnswer> {
    const { signal } = this.controller
    let answer
    try {
      if (url.protocol !== 'https:' && url.protocol !== 'http:')
        throw new Error(`unsupported scheme ${url.protocol}`)
      answer = await request(url, {
        method: method as 'GET',
        headers: this.init.headers,
        body,
        signal,
        dispatcher: agent
      })
    } catch (cause) {
      this.finish()
      throw signal.aborted ? signal.reason : new TypeError('fetch failed', { cause })
    }
    const { statusCode: status, headers } = answer
    const location = headers['location']
    if (REDIRECTS.has(status) && typeof location === 'string') {
      answer.body.resume()
      const fail = (message: string) => {
        this.finish()
        return new TypeError('fetch failed', { cause: new Error(message) })
      }
      if (this.init.redirect === 'error') throw fail(`redirected to ${location}`)
      if (hops >= MAX_REDIRECTS) throw fail('too many redirects')
      const again = status === 303 ? 'GET' : method
      return this.send(new URL(location, url), again, status === 303 ? undefined : body, hops + 1)
    }
    const read = this.read(answer.body)
    // Marked handled until someone asks for the body, who then gets the rejection.
    // eslint-disable-next-line no-restricted-syntax -- the caller awaits `read` itself
    read.catch(() => undefined)
    return {
      status,
      headers: { get: (name) => header(headers[name.toLowerCase()]) },
      body: {
        cancel: async () => {
          this.finish()
          answer.body.destroy()
        }
      },
      buffer: () => read,
      arrayBuffer: async () => new Uint8Array(await read).buffer
    }
  }

  /** The whole body; the deadline runs until its last byte. */
  private read(body: AsyncIterable<Buffer>): Promise<Buffer> {
    return (async () => {
      const chunks: Buffer[] = []
      try {
        for await (const chunk of body) chunks.push(chunk)
      } catch (error) {
        this.finish()
        throw this.controller.signal.aborted ? this.controller.signal.reason : error
      }
      this.finish()
      return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
    })()
  }

  private readonly onAbort = () => this.abort(this.init.signal?.reason)

  private abort(reason: unknown) {
    if (this.settled || this.controller.signal.aborted) return
    this.controller.abort(reason)
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
