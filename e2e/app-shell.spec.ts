import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Page } from '@playwright/test'
import { test, expect } from './fixtures'
import { demoJob, openDemoJob, thumbsLoaded } from './review-helpers'

test('the app shell opens in the browser shell and app.ping round-trips to main', async ({
  page,
  shell
}) => {
  await page.goto(shell.url)
  // The token left the address bar at once.
  await expect(page).toHaveURL(`${shell.origin}/`)
  await page.getByRole('button', { name: 'About' }).click()
  const status = page.getByTestId('main-status')
  await expect(status).toContainText(/Main v\d+\.\d+\.\d+ · ping \d+ ms/)

  // The same call straight through the renderer's platform module path, with a fresh nonce.
  const pong = await page.evaluate(async () => {
    const response = await fetch('/bridge/invoke/app.ping', {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        'X-Tagdeck-Token': sessionStorage.getItem('tagdeck.shellToken') ?? ''
      },
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
      headers: {
        'Content-Type': 'application/json',
        'X-Tagdeck-Token': sessionStorage.getItem('tagdeck.shellToken') ?? ''
      },
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
  expect(sockets.map((url) => url.replace(/\?token=[0-9a-f]+$/, ''))).toEqual([
    `${shell.origin.replace('http:', 'ws:')}/bridge/ws`
  ])
  const channels = sent.map((frame) => (JSON.parse(frame) as { channel: string }).channel)
  expect(channels).toEqual(expect.arrayContaining(['jobs.list', 'samples.page']))
  // Only what the page asked before the socket was open went as POSTs.
  expect(posted).not.toContain('samples.page')
  expect(posted.length).toBeLessThan(channels.length)
})

test("the shell's token reaches no other origin: no cookie, not in the address, not sent elsewhere", async ({
  page,
  shell,
  service,
  context
}) => {
  const token = new URLSearchParams(new URL(shell.url).hash.slice(1)).get('token') ?? ''
  expect(token).toMatch(/^[0-9a-f]{36}$/)
  // Another server on this machine, on another loopback port: it logs everything it is sent.
  const heard: { url?: string; headers: IncomingHttpHeaders }[] = []
  const other = createServer((req, res) => {
    heard.push({ url: req.url, headers: req.headers })
    res.writeHead(200, { 'content-type': 'text/html' })
    res.end('<!doctype html><title>other</title><img src="/pixel.png">')
  })
  await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
  const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/`
  try {
    const documents: string[] = []
    page.on('request', (request) => {
      if (request.isNavigationRequest()) documents.push(request.url())
    })
    await page.goto(shell.url)
    await expect(page.getByRole('button', { name: 'Open the demo' })).toBeVisible()
    // Out of the address bar, and no address the page navigated to carried it to the server.
    expect(page.url()).toBe(`${shell.origin}/`)
    expect(documents.filter((url) => url.includes(token))).toEqual([])
    expect(await context.cookies()).toEqual([])
    // Kept for this tab and this origin only.
    expect(await page.evaluate(() => sessionStorage.getItem('tagdeck.shellToken'))).toBe(token)
    expect(await page.evaluate(() => JSON.stringify(localStorage))).not.toContain(token)

    // The other server, opened in the same browser, receives nothing of it and cannot read it.
    const visit: Page = await context.newPage()
    await visit.goto(otherUrl)
    await expect.poll(() => heard.length).toBeGreaterThanOrEqual(2) // the page and its image
    expect(JSON.stringify(heard)).not.toContain(token)
    expect(heard.map((h) => h.headers.cookie)).toEqual(heard.map(() => undefined))
    const readable = await visit.evaluate(
      () => JSON.stringify(sessionStorage) + JSON.stringify(localStorage) + document.cookie
    )
    expect(readable).not.toContain(token)

    // A reload keeps working without the token in the address.
    await page.reload()
    await expect(page.getByRole('button', { name: 'Open the demo' })).toBeVisible()
    await page.getByRole('button', { name: 'About' }).click()
    await expect(page.getByTestId('main-status')).toContainText(/ping \d+ ms/)
    expect(page.url()).toBe(`${shell.origin}/`)
    // So does the bare address in this tab: calls, events and images (which need the token too).
    await page.keyboard.press('Escape')
    await openDemoJob(page, `${shell.origin}/`, demoJob(service, 'classification'))
    await thumbsLoaded(page, 3)
    expect((await page.request.get(`${shell.origin}/img/x/y/z/thumb`)).status()).toBe(403)
    expect(await context.cookies()).toEqual([])
  } finally {
    await new Promise((resolve) => other.close(resolve))
  }
})
