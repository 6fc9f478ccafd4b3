import path from 'node:path'
import { build } from 'esbuild'
import type { Page } from '@playwright/test'

/**
 * The benches' way into the renderer's own code: a harness module under
 * src/renderer/src/offline/ bundled as one script, served to a page at `url`, its exported
 * functions then called by name (arguments and results cross as JSON).
 */

const OFFLINE = path.join(__dirname, '..', 'src', 'renderer', 'src', 'offline')

export const harnessFile = (name: string) => path.join(OFFLINE, name)

/** Calls the page's harness function `fn`; `H` describes the module's functions. */
export type HarnessCall<H extends Record<keyof H, (...args: never[]) => Promise<unknown>>> = <
  K extends keyof H
>(
  fn: K,
  ...args: Parameters<H[K]>
) => ReturnType<H[K]>

export async function openHarnessPage<
  H extends Record<keyof H, (...args: never[]) => Promise<unknown>>
>(page: Page, file: string, url: string): Promise<HarnessCall<H>> {
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
  await page.route(url, (route) =>
    route.fulfill({
      contentType: 'text/html',
      body: `<!doctype html><meta charset="utf-8"><script>${script}</script>`
    })
  )
  await page.goto(url)
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
