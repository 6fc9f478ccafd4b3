import { test, expect } from './fixtures'

test('the app shell opens in the browser shell and app.ping round-trips to main', async ({
  page,
  shell
}) => {
  await page.goto(shell.url)
  // The token moved into a cookie and out of the address bar.
  await expect(page).toHaveURL(`${shell.origin}/`)
  const status = page.getByTestId('main-status')
  await expect(status).toContainText(/Main v\d+\.\d+\.\d+ · ping \d+ ms/)

  // The same call straight through the renderer's platform module path, with a fresh nonce.
  const pong = await page.evaluate(async () => {
    const response = await fetch('/bridge/invoke/app.ping', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ input: { nonce: 'e2e-nonce-42' } })
    })
    return (await response.json()) as { ok: boolean; value?: { nonce: string } }
  })
  expect(pong).toMatchObject({ ok: true, value: { nonce: 'e2e-nonce-42' } })
  await page.screenshot({ path: 'e2e/screenshots/app-shell.png' })
})

test('a bad payload comes back as a typed error, not an exception', async ({ page, shell }) => {
  await page.goto(shell.url)
  const result = await page.evaluate(async () => {
    const response = await fetch('/bridge/invoke/app.ping', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ input: { nonce: 42 } })
    })
    return (await response.json()) as { ok: boolean; error?: { code: string } }
  })
  expect(result).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
})
