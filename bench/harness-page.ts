import path from 'node:path'
import { build } from 'esbuild'
import type { Page } from '@playwright/test'

/**
 * The benches' way into the renderer's own code: a harness module under
 * bench/harness/ (importing the renderer's own code) bundled as one script, served to a page at `url`, its exported
 * functions then called by name (arguments and results cross as JSON).
 */

const HARNESSES = path.join(__dirname, 'harness')

export const harnessFile = (name: string) => path.join(HARNESSES, name)

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
