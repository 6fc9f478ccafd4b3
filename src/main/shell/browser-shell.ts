import { randomBytes } from 'node:crypto'
import { mkdir } from 'node:fs/promises'
import { createMainCore, type MainCore } from '../core'
import { startBridge } from './bridge-server'

export interface BrowserShellOptions {
  userDataDir: string
  rendererDir: string
  version: string
  port?: number
  token?: string
  demoFile?: string | null
  /** Development and tests: every cloud region's services at this URL (endpoints.ts). */
  regionEndpoint?: URL | null
}

export interface RunningShell {
  url: string
  origin: string
  core: MainCore
  close(): Promise<void>
}

/**
 * The browser shell: the real main-process core in plain Node, the built renderer served on
 * loopback, the bridge as transport. What `npm run start:browser` and the e2e suite run.
 */
export async function startBrowserShell(options: BrowserShellOptions): Promise<RunningShell> {
  await mkdir(options.userDataDir, { recursive: true })
  let shellOrigin = ''
  const core = await createMainCore({
    version: options.version,
    shell: 'browser',
    userDataDir: options.userDataDir,
    demoFile: options.demoFile ?? null,
    net: options.regionEndpoint ? { regionEndpoint: options.regionEndpoint } : undefined,
    trustedOrigin: (origin) => shellOrigin !== '' && origin === shellOrigin
  })
  const bridge = await startBridge({
    core,
    rendererDir: options.rendererDir,
    token: options.token ?? randomBytes(24).toString('base64url'),
    port: options.port
  })
  shellOrigin = bridge.origin
  return {
    url: bridge.startUrl,
    origin: bridge.origin,
    core,
    async close() {
      await bridge.close()
      await core.close()
    }
  }
}
