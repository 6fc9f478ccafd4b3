import { test, expect } from './fixtures'
import { escapeRegExp, goneOnService, screenshot, serviceOps, tileIds } from './review-helpers'

// Today's cloud with only region-style settings: the local service poses as cn-north-4, the
// shell sends every region there (TAGDECK_REGION_ENDPOINT, a development-only override).
const REGION = 'cn-north-4'
test.use({ locale: 'en-US', viewport: { width: 1280, height: 900 }, region: REGION })

test('a region, an access key and nothing else: the project is found, old and new datasets and a task are listed, browsed and deleted from', async ({
  page,
  shell,
  service
}) => {
  const { demo } = service
  const cloud = demo.newVersion!
  const tags = cloud.tasks.find((t) => t.type === 0)!

  // With no connection saved yet, the form is open.
  await page.goto(shell.url)
  const form = page.getByRole('form', { name: 'New connection' })
  await form.getByLabel('Name').fill('Beijing 4')
  await expect(form.getByLabel('Region', { exact: true })).toHaveValue(REGION)
  await form.getByLabel('Access key ID (AK)').fill(demo.ak)
  await form.getByLabel('Secret access key (SK)').fill(demo.sk)
  await form.getByRole('button', { name: 'Find project ID' }).click()
  await expect(form.getByLabel('Project ID')).toHaveValue(demo.projectId)
  await expect(
    form.getByText(`Found the project “${REGION}” with these credentials.`)
  ).toBeVisible()
  // Saving opens the connection's jobs.
  await form.getByRole('button', { name: 'Save connection' }).click()
  await expect(page.getByRole('heading', { name: 'Jobs on Beijing 4' })).toBeVisible()

  // Old-version jobs and the dataset made by data type, with its labeling tasks.
  for (const name of ['Shapes: classification', 'Shapes: detection', cloud.dataset.name])
    await expect(page.getByRole('button', { name: `Open ${name}` })).toBeVisible()
  const taskList = page.getByRole('region', { name: `Labeling tasks of ${cloud.dataset.name}` })
  await expect(taskList.getByTestId('task')).toHaveCount(2)
  await expect(taskList.getByTestId('task').filter({ hasText: tags.name })).toContainText(
    /60 images · \d+ unlabeled/
  )
  await screenshot(page, 'cloud-jobs-en.png')

  // A task opens like a job: its own images, filters and counts.
  const ops = serviceOps(service)
  const jobId = `${cloud.dataset.id}~${tags.id}`
  const stats = await ops.getStats(jobId)
  await taskList.getByRole('button', { name: `Open the task ${tags.name}` }).click()
  await expect(page.getByTestId('grid-count')).toHaveText('60 images')
  const label = [...stats.labels].sort((a, b) => b.sampleCount - a.sampleCount)[0]!
  await page
    .getByRole('radio', { name: new RegExp(`^${escapeRegExp(label.name)} [\\d,]+$`) })
    .check()
  await expect(page.getByTestId('grid-count')).toHaveText(
    `${label.sampleCount} ${label.sampleCount === 1 ? 'image' : 'images'}`
  )
  await page.getByRole('radio', { name: /^Untagged [\d,]+$/ }).check()
  await expect(page.getByTestId('grid-count')).toHaveText(
    `${stats.untagged} ${stats.untagged === 1 ? 'image' : 'images'}`
  )
  await page.getByRole('radio', { name: /^Everything [\d,]+$/ }).check()
  await expect(page.getByTestId('grid-count')).toHaveText('60 images')
  const shown = await tileIds(page)
  const service60 = (await ops.listPage(jobId, { kind: 'everything' }, 1, 100)).page.samples
  expect(shown).toEqual(service60.map((s) => s.id).slice(0, shown.length))

  // Deleting from a task deletes from the dataset (the cloud's DeleteSamples is the dataset's).
  await page.getByTestId('tile').first().click()
  const victim = shown[0]!
  await page.keyboard.press('Delete')
  await page.getByRole('dialog', { name: 'Delete 1 image?' }).getByRole('button').last().click()
  await expect(page.getByTestId('grid-count')).toHaveText('59 images')
  await expect
    .poll(() => goneOnService(ops, cloud.dataset.id, [victim]), { timeout: 30_000 })
    .toEqual([victim])
  expect((await ops.getStats(jobId)).all).toBe(59)

  // The other workspace has its own job.
  await page.getByRole('button', { name: 'Beijing 4' }).click()
  await page.getByLabel('Workspace').selectOption({ label: 'Team B' })
  await expect(page.getByRole('button', { name: 'Open Team B: shapes' })).toBeVisible()
  await expect(page.getByRole('button', { name: 'Open Shapes: detection' })).toHaveCount(0)
})
