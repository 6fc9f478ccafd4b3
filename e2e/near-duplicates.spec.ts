import { test, expect } from './fixtures'
import { makeAvailableOffline, reopenJob } from './offline-helpers'
import { demoJob, openDemoJob, screenshot, serviceOps, thumbsLoaded } from './review-helpers'

// Near-duplicates (issue 23) in the app: signatures made by main as "Make available offline"
// caches the thumbnails (stored with each chunk), the Problems section's entry, the grid group by
// group, "Keep this one" in the viewer and "Keep one of each group, delete the rest". Real
// service with its planted copies, browser shell, Chromium.
test.use({ locale: 'en-US', viewport: { width: 1280, height: 900 } })

test('the demo job made available offline shows its planted near-duplicates, and keeping one of each deletes the rest', async ({
  page: first,
  context,
  shell,
  service
}) => {
  test.setTimeout(180_000)
  const job = demoJob(service, 'detection')
  const planted = service.demoDefects?.nearDuplicates ?? []
  const images = planted.reduce((n, g) => n + 1 + g.copies.length, 0)
  const copies = images - planted.length
  expect(planted.length).toBeGreaterThan(0)

  await openDemoJob(first, shell.url, job)
  await makeAvailableOffline(first)
  // Opened again, the job is searched locally (its Problems section shows).
  const page = await reopenJob(context, shell.url, job)
  const search = page.getByRole('region', { name: 'Search this job' })
  const entry = search.getByRole('button', { name: /^Near-duplicates/ })
  // The worker's signatures may come in after the download: the count follows them.
  await expect(entry).toContainText(String(images), { timeout: 60_000 })
  await entry.click()
  await expect(page.getByTestId('near-duplicates')).toContainText(
    `${planted.length} groups of near-duplicate images`
  )
  await expect(page.getByTestId('grid-count')).toHaveText(`${images} images`)
  await thumbsLoaded(page, Math.min(images, 12))
  await screenshot(page, 'problems-near-duplicates-en.png')

  // The first group keeps its largest image unless told otherwise: keep its second one.
  await page.getByTestId('tile').nth(1).dblclick()
  const viewer = page.getByTestId('viewer')
  const keepThis = viewer.getByRole('button', { name: 'Keep this one' })
  await expect(
    viewer.getByRole('button', { name: /^(Keep this one|Kept in its group)$/ })
  ).toBeVisible()
  if (await keepThis.isVisible()) await keepThis.click()
  await expect(viewer.getByRole('button', { name: 'Kept in its group' })).toBeDisabled()
  await viewer.getByRole('button', { name: 'Close viewer' }).click()

  await page
    .getByTestId('near-duplicates')
    .getByRole('button', { name: 'Keep one of each group, delete the rest' })
    .click()
  await page
    .getByRole('dialog', { name: `Delete ${copies} images?` })
    .getByRole('button', { name: `Delete ${copies} images` })
    .click()
  await expect(page.getByTestId('grid-count')).toHaveText('0 images')
  await expect(entry).toContainText('0')
  // Sent after the undo window, like any deletion.
  const ops = serviceOps(service)
  await expect
    .poll(async () => (await ops.getStats(job.id)).all, { timeout: 30_000 })
    .toBe(400 - copies)
})
