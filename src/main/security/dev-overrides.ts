import path from 'node:path'

/**
 * Environment variables that change where the app reads its data or its page from. They exist
 * for development and tests (`npm start`, the Electron e2e spec); a packaged build ignores them,
 * so nothing in the environment can point an installed Tagdeck at another profile, another
 * demo service or another page.
 */
export interface LaunchOverrides {
  /** TAGDECK_USER_DATA: a throwaway profile folder. */
  userDataDir: string | null
  /** TAGDECK_DEMO: the local service's demo.json, offered as a connection. */
  demoFile: string | null
  /** ELECTRON_RENDERER_URL: electron-vite's dev server. */
  rendererUrl: string | null
  /** TAGDECK_REGION_ENDPOINT: every cloud region's services at one URL (the local service). */
  regionEndpoint: URL | null
  /** The variables that were set but not honoured (packaged build), to say so in the log. */
  ignored: string[]
}

const NAMES = [
  'TAGDECK_USER_DATA',
  'TAGDECK_DEMO',
  'ELECTRON_RENDERER_URL',
  'TAGDECK_REGION_ENDPOINT'
] as const

export function launchOverrides(env: NodeJS.ProcessEnv, isPackaged: boolean): LaunchOverrides {
  const value = (name: (typeof NAMES)[number]) => env[name] || null
  if (isPackaged) {
    return {
      userDataDir: null,
      demoFile: null,
      rendererUrl: null,
      regionEndpoint: null,
      ignored: NAMES.filter((name) => value(name) !== null)
    }
  }
  const folder = value('TAGDECK_USER_DATA')
  const demo = value('TAGDECK_DEMO')
  return {
    // app.setPath needs an absolute path.
    userDataDir: folder && path.resolve(folder),
    demoFile: demo && path.resolve(demo),
    rendererUrl: value('ELECTRON_RENDERER_URL'),
    regionEndpoint: regionEndpointFrom(value('TAGDECK_REGION_ENDPOINT')),
    ignored: []
  }
}

/** An http(s) URL, or null (with a line saying why) for anything else. */
export function regionEndpointFrom(value: string | null): URL | null {
  if (value === null) return null
  if (URL.canParse(value)) {
    const url = new URL(value)
    if (url.protocol === 'http:' || url.protocol === 'https:') return url
  }
  console.warn(`Tagdeck: TAGDECK_REGION_ENDPOINT is not an http(s) URL, ignored: ${value}`)
  return null
}
