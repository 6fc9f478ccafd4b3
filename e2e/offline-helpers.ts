import path from 'node:path'
import type { BrowserContext, Locator, Page } from '@playwright/test'
import { startService } from '../src/service/server'
import type { TagFilter } from '../src/shared/domain'
import type { Operations } from '../src/main/api/operations'
import { expect } from './fixtures'
import { escapeRegExp, gotoApp, type DemoDataset } from './review-helpers'

/** Offline review in the browser shell: making a job available, coming back, browsing a filter. */

type RunningService = Awaited<ReturnType<typeof startService>>

export function syncStatus(page: Page): Locator {
  return page.getByTestId('sync-status')
}

/** Waits until nothing waits to sync and nothing failed. */
export async function allSynced(page: Page, timeout = 30_000): Promise<void> {
  await expect(syncStatus(page)).toHaveAttribute('data-pending', '0', { timeout })
  await expect(syncStatus(page)).toHaveAttribute('data-failed', '0')
}

/** The same service again, on the same data folder and port (the profile follows the port). */
export function restartService(workdir: string, old: RunningService): Promise<RunningService> {
  return startService({
    dataDir: path.join(workdir, 'service'),
    port: old.port,
    demo: true,
    testFaults: true
  })
}

export async function fault(service: RunningService, body: object): Promise<void> {
  const response = await fetch(new URL('/__test__/faults', service.url), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body)
  })
  expect(response.ok).toBe(true)
}

/** Every sample id of a filter of a job, in the service's order. */
export async function allIds(
  ops: Operations,
  jobId: string,
  filter: TagFilter = { kind: 'everything' }
): Promise<string[]> {
  const ids: string[] = []
  for (let page = 1; ; page++) {
    const { page: result } = await ops.listPage(jobId, filter, page, 100)
    ids.push(...result.samples.map((s) => s.id))
    if (ids.length >= result.total || result.samples.length === 0) return ids
  }
}

/** A later visit: the saved demo connection, then the job from the list (cached offline). */
export async function reopenJob(
  context: BrowserContext,
  url: string,
  job: DemoDataset
): Promise<Page> {
  return openSavedJob(await context.newPage(), url, job)
}

/** The same, in a page of the app's own (a restarted app's window: `app.restart()`). */
export async function openSavedJob(page: Page, url: string, job: DemoDataset): Promise<Page> {
  await gotoApp(page, url)
  await page
    .getByRole('listitem')
    .getByRole('button', { name: /^Open / })
    .first()
    .click()
  await page.getByRole('button', { name: new RegExp(`^Open ${escapeRegExp(job.name)}$`) }).click()
  await expect(page.getByTestId('tile').first()).toBeVisible()
  return page
}

export async function makeAvailableOffline(page: Page): Promise<void> {
  const status = page.getByTestId('grid-status')
  await status.getByRole('button', { name: 'Make available offline' }).click()
  const dialog = page.getByRole('dialog', { name: /available offline$/ })
  await dialog.getByRole('button', { name: 'Download' }).click()
  await expect(status.getByTestId('offline-state')).toHaveAttribute('data-state', 'done', {
    timeout: 60_000
  })
}

/**
 * Scrolls the grid from top to bottom, most of a screen at a time; returns every sample id it
 * showed, in the grid's order. Each step is one call into the page: wait (frame by frame) until
 * every tile shown is loaded, read them, scroll, wait two frames for the grid to draw.
 */
export async function browseAll(page: Page, total: number): Promise<string[]> {
  const grid = page.getByTestId('grid')
  const seen: string[] = []
  await grid.evaluate((el) => el.scrollTo({ top: 0 }))
  for (let step = 0; step < 400; step++) {
    const shown = await grid.evaluate(async (el) => {
      const frame = () => new Promise((r) => requestAnimationFrame(r))
      // Only loaded tiles carry their id: no placeholder may be left.
      for (let waited = 0; ; waited++) {
        const loading = document.querySelector('[data-testid="tile-loading"]') !== null
        if (document.querySelector('[data-testid="tile"]') !== null && !loading) break
        if (waited > 600) throw new Error('the grid kept placeholders for 600 frames')
        await frame()
      }
      const tiles = [...document.querySelectorAll('[data-testid="tile"]')].map(
        (e) =>
          [Number(e.getAttribute('data-index')), e.getAttribute('data-sample-id') ?? ''] as const
      )
      const notOffline = document.querySelectorAll('[data-testid="not-offline"]').length
      const end = el.scrollTop + el.clientHeight >= el.scrollHeight - 2
      // Four fifths of a screen: each step overlaps the last (the grid draws every row the
      // screen touches), and two frames for it to draw the rows scrolled to.
      if (!end) {
        el.scrollBy({ top: el.clientHeight * 0.8 })
        await frame()
        await frame()
      }
      return { tiles, notOffline, end }
    })
    // Said while a page loads, it must go (as a toHaveCount waits for).
    if (shown.notOffline > 0) await expect(page.getByTestId('not-offline')).toHaveCount(0)
    for (const [index, id] of shown.tiles) seen[index] = id
    if (shown.end && seen.filter(Boolean).length >= total) break
  }
  return seen
}
