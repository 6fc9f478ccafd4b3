import { test, expect } from './fixtures'
import { demoJob, screenshot } from './review-helpers'

// What a screen reader and a keyboard meet first: a quiet top bar, named lists, an About box.
test.use({ locale: 'en-US', viewport: { width: 1280, height: 800 } })

test('first run: the top bar says nothing of sync; developer details live in About', async ({
  page,
  shell
}) => {
  await page.goto(shell.url)
  const banner = page.getByRole('banner')
  await expect(page.getByRole('heading', { name: 'Connections', exact: true })).toBeVisible()
  await expect(banner.getByTestId('sync-status')).toHaveCount(0)
  await expect(banner).not.toContainText(/Browser shell|ping|Main v/)

  await banner.getByRole('button', { name: 'About' }).click()
  const about = page.getByRole('dialog', { name: 'About Tagdeck' })
  await expect(about.getByTestId('shell-kind')).toHaveText('Browser shell')
  await expect(about.getByTestId('main-status')).toContainText(/Main v\d+\.\d+\.\d+ · ping \d+ ms/)
  await screenshot(page, 'about-en.png')
  await page.keyboard.press('Escape')
  await expect(about).toHaveCount(0)
})

test('a job card reads its label counts as a list; once a connection is open, sync speaks', async ({
  page,
  shell,
  service
}) => {
  const job = demoJob(service, 'detection')
  await page.goto(shell.url)
  await page.getByRole('button', { name: 'Open the demo' }).click()
  const card = page.getByTestId('job-card').filter({ hasText: job.name })
  const labels = card.getByRole('list', { name: 'Labels' })
  // What assistive technology gets (the drawn chips are aria-hidden): "circle: 170", ...
  await expect(labels).toMatchAriaSnapshot(`
    - list "Labels":
      - listitem: /^circle:\\s\\d[\\d,]*$/
      - listitem: /^square:\\s\\d[\\d,]*$/
  `)
  await expect(page.getByRole('banner').getByTestId('sync-status')).toBeVisible()

  await page.getByRole('button', { name: `Open ${job.name}` }).click()
  await page.getByTestId('tile').first().dblclick()
  const viewer = page.getByTestId('viewer')
  await expect(viewer.getByRole('list', { name: 'Tags' })).toBeVisible()
  await expect(viewer.getByRole('list', { name: 'Boxes' })).toBeVisible()
  await expect(viewer.getByRole('img', { name: /with its boxes$/ })).toHaveAttribute(
    'aria-busy',
    'false'
  )
  await viewer.getByRole('list', { name: 'Boxes' }).getByRole('button').first().focus()
  await screenshot(page, 'viewer-box-focused-en.png')
})
