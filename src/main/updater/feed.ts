import path from 'node:path'

/**
 * Whether this build has a release feed to check: only a packaged app, and only one built with
 * a `publish` config (electron-builder then writes `app-update.yml` beside app.asar). Running
 * from source, the browser shell and a build made without a feed never check.
 */
export function hasReleaseFeed(host: {
  isPackaged: boolean
  resourcesPath: string
  exists: (file: string) => boolean
}): boolean {
  return host.isPackaged && host.exists(path.join(host.resourcesPath, 'app-update.yml'))
}
