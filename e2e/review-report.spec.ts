import { readFile } from 'node:fs/promises'
import type { Download, Locator, Page } from '@playwright/test'
import { test, expect } from './fixtures'
import { gotoApp, goneOnService, loadedImages, screenshot, serviceOps } from './review-helpers'
import { allSynced, makeAvailableOffline, restartService, syncStatus } from './offline-helpers'
import type { startService } from '../src/service/server'

// The review report (issue 23) with the real service, the browser shell and Chromium's
// IndexedDB: a review made offline with the keyboard, the report opened offline with its
// thumbnails, exported as CSV and JSON (read back from the downloads), and after the sync every
// change on the service, the report saying so.

type RunningService = Awaited<ReturnType<typeof startService>>

/** The demo's labeling task that draws boxes (verdicts go there), as a job id. */
function boxesTask(service: RunningService) {
  const cloud = service.demo?.newVersion
  const task = cloud?.tasks.find((t) => t.type === 1)
  if (!cloud || !task) throw new Error('the demo has no boxes task')
  return { name: task.name, jobId: `${cloud.dataset.id}~${task.id}` }
}

async function openTask(page: Page, url: string, name: RegExp): Promise<void> {
  await gotoApp(page, url)
  await page.getByRole('button', { name: /^Open the demo$|^打开演示$/ }).click()
  await page.getByRole('button', { name }).click()
  await expect(page.getByTestId('tile').first()).toBeVisible()
}

/** The viewer shows image `index` (0-based) of `total`, ready for keys. */
async function showing(page: Page, index: number, total: number): Promise<void> {
  await page.waitForFunction(
    (position) =>
      document.querySelector('[data-testid="viewer"] .viewer-position')?.textContent === position,
    `${index + 1} of ${total}`,
    { polling: 'raf' }
  )
}

async function saved(download: Download): Promise<Buffer> {
  const path = await download.path()
  return readFile(path)
}

/** Every thumbnail of the report's table has loaded (from main's cache). */
async function thumbsShown(dialog: Locator, count: number): Promise<void> {
  await expect.poll(() => loadedImages(dialog.getByTestId('report-row').locator('img'))).toBe(count)
}

test.describe('in English', () => {
  test.use({ locale: 'en-US', viewport: { width: 1280, height: 860 } })

  test('a review made offline: the report opens offline with thumbnails, counts it, exports CSV and JSON; after the sync it says every change is on the service, and it is', async ({
    page,
    shell,
    service,
    workdir
  }) => {
    test.setTimeout(180_000)
    const ops = serviceOps(service)
    const task = boxesTask(service)
    const { page: listed } = await ops.listPage(task.jobId, { kind: 'everything' }, 1, 100)
    const samples = listed.samples
    const total = samples.length
    await openTask(page, shell.url, new RegExp(`^Open the task ${task.name}$`))
    await makeAvailableOffline(page)
    await service.close()

    // Offline: accept the first image, reject the second (reason 1), draw a box on the third
    // and accept it; then delete the sixth from the grid.
    await page.getByTestId('tile').first().click()
    await page.keyboard.press('Enter')
    await showing(page, 0, total)
    await page.keyboard.press('a')
    await showing(page, 1, total)
    await page.keyboard.press('r')
    await expect(page.getByTestId('reason-list')).toBeVisible()
    await page.keyboard.press('1')
    await showing(page, 2, total)
    await page.keyboard.press('n')
    await expect(page.getByTestId('viewer')).toContainText(/drag/i)
    await page.keyboard.press('Enter')
    await page.keyboard.press('a')
    await showing(page, 3, total)
    await page.keyboard.press('Escape')
    await expect(page.getByTestId('viewer')).toHaveCount(0)
    const deleted = samples[5]!
    await page.locator(`[data-testid="tile"][data-sample-id="${deleted.id}"]`).click()
    await page.keyboard.press('Delete')
    await page.getByRole('button', { name: 'Delete 1 image' }).click()
    await expect(syncStatus(page)).toHaveAttribute('data-pending', '5')
    // The live counter counts the deleted image too: four images decided, as the report says.
    await page.getByTestId('tile').first().click()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('review-counter')).toHaveAttribute('data-count', '4')
    await page.keyboard.press('Escape')
    await expect(page.getByTestId('viewer')).toHaveCount(0)
    // For a look at the sidebar's button (the run's pictures only, never the README's).
    await page.screenshot({ path: 'e2e/screenshots/review-report-sidebar-en.png' })

    // The report, offline, from the key listed in the ? sheet.
    await page.keyboard.press('?')
    const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await expect(sheet).toContainText('Review report')
    await sheet.getByRole('button', { name: 'Close' }).click()
    await page.keyboard.press('Shift+R')
    const dialog = page.getByRole('dialog', { name: /^Review report: / })
    await expect(dialog.getByRole('radio', { name: /^This sitting/ })).toBeChecked()
    const count = (key: string) => dialog.getByTestId(`report-count-${key}`)
    await expect(count('images')).toHaveText('4')
    await expect(count('accepted')).toHaveText('2')
    await expect(count('rejected')).toHaveText('1')
    await expect(count('labels')).toHaveText('1')
    await expect(count('deleted')).toHaveText('1')
    await expect(count('waiting')).toHaveText('5')
    await expect(count('perMinute')).not.toHaveText('')
    const rows = dialog.getByTestId('report-row')
    await expect(rows).toHaveCount(5)
    await expect(dialog.locator('[data-testid="report-row"][data-state="pending"]')).toHaveCount(5)
    // Newest first: the deletion, then the third image's verdict and its new box.
    await expect(rows.first()).toHaveAttribute('data-kind', 'delete')
    await expect(rows.first()).toContainText(deleted.name)
    const third = `[data-testid="report-row"][data-sample-id="${samples[2]!.id}"]`
    await expect(dialog.locator(`${third}[data-kind="labels"]`)).toContainText('Boxes added: ')
    await expect(dialog.locator(`${third}[data-kind="verdict"]`)).toContainText('Accepted (A)')
    await expect(
      dialog.locator(`[data-testid="report-row"][data-sample-id="${samples[1]!.id}"]`)
    ).toContainText('Rejected: Box too loose (A)')
    await thumbsShown(dialog, 5)
    await screenshot(dialog, 'review-report-en.png')

    // CSV: BOM, fixed English columns, one line per change.
    const [csvDownload] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Export CSV' }).click()
    ])
    expect(csvDownload.suggestedFilename()).toMatch(/^tagdeck-review-.+-sitting-\d{8}-\d{4}\.csv$/)
    const csvBytes = await saved(csvDownload)
    expect([...csvBytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const lines = csvBytes.toString('utf8').slice(1).split('\r\n').filter(Boolean)
    expect(lines[0]).toBe(
      'time,kind,sample_id,sample_name,state,change,accept,reason,grade,tags_added,tags_removed,boxes_added,boxes_removed,boxes_moved,boxes_relabelled,conflict,error'
    )
    expect(lines).toHaveLength(6)
    const csvRows = lines.slice(1).map((l) => l.split(','))
    expect(csvRows.map((r) => r[1]).sort()).toEqual([
      'delete',
      'labels',
      'verdict',
      'verdict',
      'verdict'
    ])
    expect(csvRows.every((r) => r[4] === 'pending')).toBe(true)
    const rejected = csvRows.find((r) => r[2] === samples[1]!.id)
    expect(rejected?.slice(6, 9)).toEqual(['false', 'Box too loose', 'A'])

    // JSON: the counts and every change whole.
    const [jsonDownload] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Export JSON' }).click()
    ])
    const json = JSON.parse((await saved(jsonDownload)).toString('utf8')) as {
      scope: string
      counts: Record<string, unknown>
      entries: { kind: string; sampleId: string; state: string; labels: unknown }[]
    }
    expect(json.scope).toBe('sitting')
    expect(json.counts).toMatchObject({ images: 4, deleted: 1, accepted: 2, rejected: 1 })
    expect(json.entries.map((e) => e.sampleId)).toEqual(
      expect.arrayContaining([samples[0]!.id, samples[1]!.id, samples[2]!.id, deleted.id])
    )
    const labels = json.entries.find((e) => e.kind === 'labels') as {
      labels: { before: { boxes: unknown[] }; after: { boxes: unknown[] } }
    }
    expect(labels.labels.after.boxes).toHaveLength(labels.labels.before.boxes.length + 1)

    // Back online: the report follows the sync, and the service holds what it says.
    const back = await restartService(workdir, service)
    try {
      await allSynced(page, 60_000)
      await expect(dialog.locator('[data-testid="report-row"][data-state="sent"]')).toHaveCount(5)
      await expect(count('waiting')).toHaveText('0')
      await dialog.getByRole('radio', { name: 'The whole job' }).check()
      await expect(rows).toHaveCount(5)
      const backOps = serviceOps(back)
      expect(await goneOnService(backOps, task.jobId, [deleted.id])).toEqual([deleted.id])
      const verdictOf = async (i: number) =>
        (await backOps.getImageInfoById(task.jobId, samples[i]!.id)).verdict
      expect(await verdictOf(0)).toEqual({ stage: 'review', accept: true, comment: '', score: 'A' })
      expect(await verdictOf(1)).toEqual({
        stage: 'review',
        accept: false,
        comment: 'Box too loose',
        score: 'A'
      })
      const boxed = await backOps.getImageInfoById(task.jobId, samples[2]!.id)
      expect(boxed.boxes).toHaveLength(samples[2]!.boxes.length + 1)

      // The job opened again: a new sitting with nothing in it yet; the whole job keeps all five.
      await dialog.getByRole('button', { name: 'Close' }).click()
      await page.getByRole('navigation').getByRole('button', { name: 'Local demo service' }).click()
      await page.getByRole('button', { name: `Open the task ${task.name}` }).click()
      await expect(page.getByTestId('tile').first()).toBeVisible()
      await page.getByRole('button', { name: 'Review report' }).click()
      const again = page.getByRole('dialog', { name: /^Review report: / })
      await expect(again.getByTestId('report-empty')).toHaveText('No changes in this sitting yet.')
      await again.getByRole('radio', { name: 'The whole job' }).check()
      await expect(again.locator('[data-testid="report-row"][data-state="sent"]')).toHaveCount(5)
      await expect(again.getByTestId('report-count-images')).toHaveText('4')
    } finally {
      await back.close()
    }
  })
})

test.describe('in Chinese', () => {
  test.use({ locale: 'zh-CN', viewport: { width: 1280, height: 860 } })

  test('the report and its CSV speak Chinese, and Excel reads the CSV as UTF-8', async ({
    page,
    shell,
    service
  }) => {
    const task = boxesTask(service)
    await openTask(page, shell.url, new RegExp(`^打开任务 ${task.name}$`))
    await page.getByTestId('tile').first().click()
    await page.keyboard.press('Enter')
    await expect(page.getByTestId('review-bar')).toBeVisible()
    await page.keyboard.press('a')
    await expect(page.getByTestId('review-counter')).toHaveAttribute('data-count', '1')
    await page.keyboard.press('Escape')
    await page.getByRole('button', { name: '审核报告' }).click()
    const dialog = page.getByRole('dialog', { name: /^审核报告：/ })
    await expect(dialog.getByTestId('report-count-accepted')).toHaveText('1')
    await expect(dialog.getByTestId('report-row')).toContainText('通过（A）')
    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: '导出 CSV' }).click()
    ])
    const bytes = await saved(csv)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const text = bytes.toString('utf8')
    expect(text).toContain('time,kind,sample_id')
    expect(text).toContain('通过（A）')
  })
})
