import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import type { Locator, Page } from '@playwright/test'
import { expect, test } from './fixtures'
import { buildClient } from '../src/main/connections/client'
import type { Operations } from '../src/main/api/operations'
import type { startService } from '../src/service/server'

type RunningService = Awaited<ReturnType<typeof startService>>
export type DemoDataset = RunningService['demo']['datasets'][number]

/** The service's own view, through the same signed ModelArts client main uses. */
export function serviceOps(service: RunningService): Operations {
  const { demo } = service
  return buildClient(
    {
      target: { kind: 'endpoint', url: demo.endpoint },
      projectId: demo.projectId,
      auth: { kind: 'aksk', ak: demo.ak }
    },
    demo.sk,
    {}
  ).ops
}

export function demoJob(
  service: RunningService,
  type: 'classification' | 'detection'
): DemoDataset {
  // demo.json types: 0 classification, 1 detection (as the wire has them).
  const job = service.demo.datasets.find((d) => d.type === (type === 'detection' ? 1 : 0))
  if (!job) throw new Error(`the demo workspace has no ${type} job`)
  return job
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** Opens the app, unless the page shows it already (Electron's window opens on it). */
export async function gotoApp(page: Page, url: string): Promise<void> {
  if (page.url() !== url) await page.goto(url)
}

/** First run: take the demo on offer, then open a job from the list. */
export async function openDemoJob(
  page: Page,
  url: string,
  job: DemoDataset,
  openName = /^Open the demo$|^打开演示$/
) {
  await gotoApp(page, url)
  await page.getByRole('button', { name: openName }).click()
  await page
    .getByRole('button', { name: new RegExp(`^(Open|打开) ${escapeRegExp(job.name)}$`) })
    .click()
  await expect(page.getByTestId('tile').first()).toBeVisible()
}

/** Tiles loaded in the DOM now, as the service ids they show. */
export async function tileIds(page: Page): Promise<string[]> {
  return page
    .getByTestId('tile')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-sample-id') ?? ''))
}

export function tileAt(page: Page, index: number): Locator {
  return page.locator(`[role="option"][data-index="${index}"][data-testid="tile"]`)
}

/** Ids the service no longer has, out of `ids`. */
export async function goneOnService(
  ops: Operations,
  jobId: string,
  ids: string[]
): Promise<string[]> {
  const results = await ops.getImageInfoByIds(jobId, ids)
  return results.filter((r) => r.sample === null && r.error?.code !== 'network').map((r) => r.id)
}

/** Waits until the first `count` tiles show their decoded thumbnails (for screenshots). */
export async function thumbsLoaded(page: Page, count: number): Promise<void> {
  await expect
    .poll(() => loadedImages(page.getByTestId('tile').locator('img')))
    .toBeGreaterThanOrEqual(count)
}

/** How many of these images have loaded (their bytes decoded, not a broken image). */
export const loadedImages = (images: Locator): Promise<number> =>
  images.evaluateAll(
    (imgs) =>
      imgs.filter(
        (i) => (i as HTMLImageElement).complete && (i as HTMLImageElement).naturalWidth > 0
      ).length
  )

/**
 * Saves a screenshot for the test run (e2e/screenshots, gitignored), and for the README
 * (docs/screenshots, committed) when TAGDECK_DOC_SCREENSHOTS=1 in the browser project, so a
 * plain test run leaves the tree as it was.
 */
export async function screenshot(target: Page | Locator, name: string): Promise<void> {
  // The Electron project's pictures are kept apart, and never replace the README's.
  if (test.info().project.name === 'electron') name = `electron-${name}`
  const dirs = ['e2e/screenshots']
  if (process.env['TAGDECK_DOC_SCREENSHOTS'] === '1' && !name.startsWith('electron-'))
    dirs.push('docs/screenshots')
  for (const dir of dirs) {
    await mkdir(dir, { recursive: true })
    await target.screenshot({ path: path.join(dir, name) })
  }
}
