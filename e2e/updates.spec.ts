import { test, expect } from './fixtures'

test.use({ locale: 'en-US' })

test('Settings: "Check for updates" is on by default, remembered, and this build says it has no feed', async ({
  page,
  shell
}) => {
  await page.goto(shell.url)
  const settings = page.getByRole('dialog', { name: 'Settings' })
  const open = async () => {
    await page.getByRole('button', { name: 'Settings' }).click()
    await expect(settings).toBeVisible()
  }
  await open()
  const check = settings.getByRole('checkbox', { name: /^Check for updates/ })
  await expect(check).toBeChecked()
  // The browser shell (like Electron run from source) has no release feed: it never checks.
  await expect(settings.getByTestId('update-hint')).toHaveText(/no update feed/)
  await check.uncheck()
  await page.reload()
  await open()
  await expect(check).not.toBeChecked()
  // Nothing to offer or install, so the top bar says nothing about updates.
  await expect(page.getByTestId('update-status')).toHaveCount(0)
  await expect(page.getByTestId('update-ready')).toHaveCount(0)
})
