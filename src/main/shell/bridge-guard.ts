import { timingSafeEqual } from 'node:crypto'
import type http from 'node:http'

/**
 * Who may use the browser shell's bridge. Every request must name this server's exact
 * `127.0.0.1:PORT` host (no DNS rebinding); everything that carries data (`/bridge/*`, `/img/*`)
 * must carry this run's token; calls must come from the server's own Origin.
 *
 * The token never sits in a cookie (browsers send a 127.0.0.1 cookie to every port of
 * 127.0.0.1, so any other local server would receive it) nor in the page's address: the printed
 * address carries it in its fragment, which no request sends; the page keeps it in its own
 * origin's storage and sends it as the `X-Tagdeck-Token` header (calls), or as the `token` query
 * parameter where a browser cannot set headers (the WebSocket, the event stream, images).
 */
export const TOKEN_HEADER = 'x-tagdeck-token'
export const TOKEN_PARAM = 'token'

export function sameToken(given: string | null | undefined, token: string): boolean {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

export function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

/**
 * The request's path and query, or null when its target does not parse (e.g. `http://[`):
 * such a request is answered 400, never allowed to throw.
 */
export function requestUrl(req: http.IncomingMessage, origin: string): URL | null {
  try {
    return new URL(req.url ?? '/', origin)
    // eslint-disable-next-line no-restricted-syntax -- null is answered 400, as said above
  } catch {
    return null
  }
}

export interface Refusal {
  status: number
  message: string
}

export function wrongHost(req: http.IncomingMessage, allowed: ReadonlySet<string>): Refusal | null {
  return allowed.has(req.headers.host ?? '') ? null : { status: 421, message: 'Wrong host' }
}

/** Why a data request may not go further, or null when it carries this run's token. */
export function missingToken(req: http.IncomingMessage, url: URL, token: string): Refusal | null {
  if (sameToken(header(req, TOKEN_HEADER), token)) return null
  if (sameToken(url.searchParams.get(TOKEN_PARAM), token)) return null
  return {
    status: 403,
    message: "Open the address Tagdeck printed when it started: it carries this run's token."
  }
}

/** Calls come from this server's own page only. */
export function foreignOrigin(req: http.IncomingMessage, origin: string): Refusal | null {
  return req.headers.origin !== origin
    ? { status: 403, message: 'Cross-origin calls are refused' }
    : null
}
