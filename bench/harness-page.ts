import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { build } from 'esbuild'
import { chromium, type BrowserContext, type Page } from '@playwright/test'
import { chromiumExecutable } from '../e2e/browser'

/**
 * The benches' way into the renderer's own code: a harness module under
 * bench/harness/ (importing the renderer's own code) bundled as one script, served to a page at `url`, its exported
 * functions then called by name (arguments and results cross as JSON).
 */

const HARNESSES = path.join(__dirname, 'harness')

export const harnessFile = (name: string) => path.join(HARNESSES, name)

/**
 * A worker of the app (a path under src/) as one classic script, for `new Worker` on a blob URL:
 * the app's workers are built by Vite, which does not build the benches' pages.
 */
export async function workerScript(entry: string): Promise<string> {
  const bundle = await build({
    entryPoints: [path.join(__dirname, '..', entry)],
    bundle: true,
    format: 'iife',
    write: false,
    platform: 'browser',
    target: 'chrome120'
  })
  return bundle.outputFiles[0]?.text ?? ''
}

export const FINDINGS_WORKER = 'src/renderer/src/offline/replica/findings.worker.ts'

/** Calls the page's harness function `fn`; `H` describes the module's functions. */
export type HarnessCall<H extends Record<keyof H, (...args: never[]) => Promise<unknown>>> = <
  K extends keyof H
>(
  fn: K,
  ...args: Parameters<H[K]>
) => ReturnType<H[K]>

/**
 * `url` is answered by Playwright with a page that holds the harness (`route`), or, when a real
 * server answers it (`inject`), the harness runs in whatever page it serves: Chromium then
 * treats the page as the server's own (a routed page counts as a public site, and a public
 * site may not open a WebSocket to loopback).
 */
export async function openHarnessPage<
  H extends Record<keyof H, (...args: never[]) => Promise<unknown>>
>(
  page: Page,
  file: string,
  url: string,
  how: 'route' | 'inject' = 'route'
): Promise<HarnessCall<H>> {
  const bundle = await build({
    entryPoints: [harnessFile(file)],
    bundle: true,
    format: 'iife',
    globalName: 'tagdeckHarness',
    write: false,
    // The app's workers start from `import.meta.url` (Vite); harnesses pass their own start.
    logOverride: { 'empty-import-meta': 'silent' },
    platform: 'browser',
    target: 'chrome120'
  })
  const script = bundle.outputFiles[0].text
  if (how === 'inject') {
    await page.goto(url)
    // Through DevTools, which the page's CSP does not govern; `var` makes a global.
    await page.evaluate(script)
  } else {
    await page.route(url, (route) =>
      route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><meta charset="utf-8"><script>${script}</script>`
      })
    )
    await page.goto(url)
  }
  return ((fn: string, ...args: unknown[]) =>
    page.evaluate(
      ([name, params]) => {
        const harness = (
          window as unknown as { tagdeckHarness: Record<string, (...a: unknown[]) => unknown> }
        ).tagdeckHarness
        return harness[name](...params)
      },
      [fn, args] as const
    )) as unknown as HarnessCall<H>
}

/**
 * Chromium with an on-disk profile of its own (as the app and a user's browser keep IndexedDB),
 * its first page running the harness `file` at a routed address; `close` removes the profile.
 */
export async function harnessBrowser<
  H extends Record<keyof H, (...args: never[]) => Promise<unknown>>
>(
  file: string,
  prefix: string
): Promise<{ context: BrowserContext; page: Page; run: HarnessCall<H>; close(): Promise<void> }> {
  const executablePath = chromiumExecutable()
  const profile = mkdtempSync(path.join(tmpdir(), prefix))
  const context = await chromium.launchPersistentContext(profile, {
    ...(executablePath ? { executablePath } : {}),
    headless: true
  })
  const close = async () => {
    await context.close()
    rmSync(profile, { recursive: true, force: true })
  }
  try {
    const page = context.pages()[0] ?? (await context.newPage())
    const run = await openHarnessPage<H>(page, file, 'http://tagdeck-bench.localhost/')
    return { context, page, run, close }
  } catch (error) {
    await close()
    throw error
  }
}
