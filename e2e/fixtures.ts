import {
  _electron as electron,
  test as base,
  expect,
  type ElectronApplication,
  type Page
} from '@playwright/test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startService } from '../src/service/server'
import { electronBinary } from './electron-binary'
import { RENDER_CACHE_ENV } from './global-setup'
import { startShellProcess, type ShellProcess } from './shell-process'

type RunningService = Awaited<ReturnType<typeof startService>>

/** How the specs reach the app: the browser shell in Chromium, or real Electron. */
export type Transport = 'browser' | 'electron'

/**
 * The app under test, whichever transport runs it: specs tagged `@electron` use this (and
 * `appPage`) instead of `shell` and `page`, so the same spec runs in both Playwright projects.
 */
export interface TagdeckApp {
  readonly transport: Transport
  /** Where the app starts: the shell's address (with its token), or Electron's app:// page. */
  readonly url: string
  /** Its profile folder: the shell's data folder, or Electron's userData. */
  readonly userDataDir: string
  /** The running Electron app, for checks of its own; null in the browser shell. */
  readonly electron: ElectronApplication | null
  /**
   * Quits and starts again on the same profile (the shell on the same port, so the page keeps
   * its IndexedDB; Electron on the same userData): its pages close, a new window is answered.
   */
  restart(): Promise<Page>
  /** Quits (the shell process stops, Electron quits), e.g. to read its profile from outside. */
  stop(): Promise<void>
}

export interface Fixtures {
  /** A temp folder of this test's own, removed afterwards. */
  workdir: string
  /** The real local annotation service with the demo workspace, on its own port. */
  service: RunningService
  /** A browser shell process for this test, wired to the demo service. */
  shell: ShellProcess
  /**
   * A cloud region the service poses as (`test.use({ region: 'cn-north-4' })`): the demo project
   * is named after it, and the shell sends that region (every region) to the service, with no
   * demo connection on offer.
   */
  region: string | undefined
  /**
   * The demo's size where a spec needs a bigger one (`test.use({ demo: { size: 1000 } })`):
   * images per old-version job, and per labeling task of the new-version dataset.
   */
  demo: { size?: number; taskSize?: number }
  /** Set per Playwright project (playwright.config.ts): 'browser' unless the project says. */
  transport: Transport
  /** The app on this test's transport, wired to the demo service like `shell`. */
  app: TagdeckApp
  /** The app's window: Playwright's `page` in the browser shell, Electron's first window. */
  appPage: Page
  /** Skips an Electron test, with the reason, where the Electron binary is not installed. */
  electronGate: void
}

const ROOT = path.resolve(__dirname, '..')
/** Electron's own page (src/main/security/trusted-url.ts APP_ORIGIN + index.html). */
const ELECTRON_START = 'app://tagdeck/index.html'

/** What the shell and Electron are told: the profile folder, and the demo or region to use. */
function hostOptions(
  workdir: string,
  service: RunningService,
  region: string | undefined
): { userDataDir: string; demoFile?: string; regionEndpoint?: string } {
  return {
    userDataDir: path.join(workdir, 'user'),
    ...(region
      ? { regionEndpoint: service.url }
      : { demoFile: path.join(workdir, 'service', 'demo.json') })
  }
}

/** Electron run from source on `out/` (npm run build), as `npm start` runs it. */
async function launchElectron(
  binary: string,
  options: ReturnType<typeof hostOptions>
): Promise<ElectronApplication> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env))
    if (value !== undefined && key !== 'ELECTRON_RUN_AS_NODE') env[key] = value
  env['TAGDECK_USER_DATA'] = options.userDataDir
  if (options.demoFile) env['TAGDECK_DEMO'] = options.demoFile
  if (options.regionEndpoint) env['TAGDECK_REGION_ENDPOINT'] = options.regionEndpoint
  // --no-sandbox: node_modules' chrome-sandbox is not setuid root on CI runners. The renderer is
  // still sandboxed by its webPreferences. --lang: the specs read English.
  return electron.launch({
    executablePath: binary,
    args: [ROOT, '--no-sandbox', '--lang=en-US'],
    env
  })
}

/** Electron's window once its own page is loaded, at the size the browser project uses. */
async function windowOf(app: ElectronApplication): Promise<Page> {
  const page = await app.firstWindow()
  await page.waitForURL((url) => url.href.startsWith('app://tagdeck/'))
  await app.evaluate(({ BrowserWindow }) =>
    BrowserWindow.getAllWindows()[0]?.setContentSize(1280, 800)
  )
  return page
}

export const test = base.extend<Fixtures>({
  region: [undefined, { option: true }],
  demo: [{}, { option: true }],
  transport: ['browser', { option: true }],
  electronGate: [
    async ({ transport }, use, testInfo) => {
      if (transport === 'electron') {
        const binary = electronBinary()
        // The run said why once (global-setup.ts); each test carries the reason too.
        testInfo.skip('missing' in binary, 'missing' in binary ? `Skipped: ${binary.missing}` : '')
      }
      await use()
    },
    { auto: true }
  ],
  // eslint-disable-next-line no-empty-pattern
  workdir: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-e2e-'))
    await use(dir)
    await rm(dir, { recursive: true, force: true })
  },
  service: async ({ workdir, region, demo }, use) => {
    const service = await startService({
      dataDir: path.join(workdir, 'service'),
      port: 0,
      demo: true,
      ...(region ? { region, demoSize: 60 } : {}),
      ...(demo.size === undefined ? {} : { demoSize: demo.size }),
      ...(demo.taskSize === undefined ? {} : { demoTaskSize: demo.taskSize }),
      renderCache: process.env[RENDER_CACHE_ENV],
      testFaults: true
    })
    await use(service)
    await service.close()
  },
  shell: async ({ workdir, service, region }, use) => {
    const shell = await startShellProcess(hostOptions(workdir, service, region))
    await use(shell)
    await shell.stop()
  },
  // Chromium's context is made in both projects (fixtures cannot depend on an option), and
  // unused under Electron: one idle browser per worker.
  app: async ({ transport, workdir, service, region, context }, use) => {
    const options = hostOptions(workdir, service, region)
    if (transport === 'browser') {
      const shell = await startShellProcess(options)
      await use({
        transport,
        get url() {
          return shell.url
        },
        userDataDir: options.userDataDir,
        electron: null,
        async restart() {
          for (const open of context.pages()) await open.close()
          await shell.restart()
          return context.newPage()
        },
        stop: () => shell.stop()
      })
      await shell.stop()
      return
    }
    const binary = electronBinary()
    if (!('path' in binary)) throw new Error(binary.missing)
    let running: ElectronApplication | null = await launchElectron(binary.path, options)
    const stop = async () => {
      const app = running
      running = null
      if (!app) return
      // Quitting with deletions pending waits on a native dialog no test can click (a test
      // that failed half-way): after 15 s, the process is killed instead.
      let timer: ReturnType<typeof setTimeout> | undefined
      const killed = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          app.process().kill('SIGKILL')
          resolve()
        }, 15_000)
      })
      const closed = app
        .close()
        .catch((error: unknown) => console.warn('[e2e] Electron did not close cleanly', error))
      await Promise.race([closed, killed])
      clearTimeout(timer)
    }
    await use({
      transport,
      url: ELECTRON_START,
      userDataDir: options.userDataDir,
      get electron() {
        return running
      },
      async restart() {
        await stop()
        running = await launchElectron(binary.path, options)
        return windowOf(running)
      },
      stop
    })
    await stop()
  },
  appPage: async ({ transport, app, page }, use) => {
    if (transport === 'browser') return use(page)
    if (!app.electron) throw new Error('Electron is not running')
    await use(await windowOf(app.electron))
  }
})

export { expect }
