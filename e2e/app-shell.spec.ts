import { test, expect } from './fixtures'
import { demoJob, openDemoJob } from './review-helpers'

test('the app shell opens in the browser shell and app.ping round-trips to main', async ({
  page,
  shell
}) => {
  await page.goto(shell.url)
  // The token moved into a cookie and out of the address bar.
  await expect(page).toHaveURL(`${shell.origin}/`)
  await page.getByRole('button', { name: 'About' }).click()
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

test('once its WebSocket is open, the page calls main over it, not with a POST per call', async ({
  page,
  shell,
  service
}) => {
  const posted: string[] = []
  page.on('request', (request) => {
    if (request.method() === 'POST')
      posted.push(new URL(request.url()).pathname.split('/').pop() ?? '')
  })
  const sockets: string[] = []
  const sent: string[] = []
  page.on('websocket', (socket) => {
    sockets.push(socket.url())
    socket.on('framesent', (frame) => sent.push(String(frame.payload)))
  })
  // A job opened from the demo: its list, labels, stats and pages all come from main.
  await openDemoJob(page, shell.url, demoJob(service, 'classification'))
  expect(sockets).toEqual([`${shell.origin.replace('http:', 'ws:')}/bridge/ws`])
  const channels = sent.map((frame) => (JSON.parse(frame) as { channel: string }).channel)
  expect(channels).toEqual(expect.arrayContaining(['jobs.list', 'samples.page']))
  // Only what the page asked before the socket was open went as POSTs.
  expect(posted).not.toContain('samples.page')
  expect(posted.length).toBeLessThan(channels.length)
})
