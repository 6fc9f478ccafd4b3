import { net, protocol } from 'electron'
import { pathToFileURL } from 'node:url'
import { APP_HOST, APP_SCHEME, IMAGE_SCHEME } from '../security/trusted-url'
import { resolveAppPath } from '../security/app-path'
import { SECURITY_HEADERS } from '../security/csp'
import { contentTypeFor } from '../security/mime'

/** Must run before app 'ready'. Standard + secure: the renderer gets a real origin, so IndexedDB works. */
export function registerSchemes(): void {
  protocol.registerSchemesAsPrivileged([
    {
      scheme: APP_SCHEME,
      privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true }
    },
    { scheme: IMAGE_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }
  ])
}

/** Serves the built renderer from `rendererDir` as app://tagdeck/..., with CSP on every response. */
export function handleAppScheme(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url)
    const file = url.host === APP_HOST ? resolveAppPath(rendererDir, url.pathname) : null
    if (!file) return new Response('Not found', { status: 404 })
    const response = await net.fetch(pathToFileURL(file).toString())
    if (!response.ok) return new Response('Not found', { status: 404 })
    return new Response(response.body, {
      status: 200,
      headers: { 'Content-Type': contentTypeFor(file), ...SECURITY_HEADERS }
    })
  })
}

export type ImageResponder = (pathname: string) => Promise<Response>

/**
 * tagdeck-img://img/<connection>/<job>/<sample>/<variant>: main resolves and caches the bytes.
 * The host is fixed because standard schemes lower-case it; ids travel in the path.
 */
export function handleImageScheme(respond: ImageResponder): void {
  protocol.handle(IMAGE_SCHEME, (request) => {
    const url = new URL(request.url)
    if (url.host !== 'img') return Promise.resolve(new Response('Not found', { status: 404 }))
    return respond(url.pathname.replace(/^\//, ''))
  })
}
