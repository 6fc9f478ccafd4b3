import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test, expect } from './fixtures'
import {
  demoJob,
  goneOnService,
  openDemoJob,
  screenshot,
  serviceOps,
  tileAt
} from './review-helpers'

// What a reviewer deletes is what they looked at, and Undo is offered exactly as long as it works.
test.use({ locale: 'en-US', viewport: { width: 1280, height: 800 } })

test('Delete acts on the image the reviewer moved to, and the confirmation names it', async ({
  page,
  shell,
  service
}) => {
  const job = demoJob(service, 'detection')
  const ops = serviceOps(service)
  await openDemoJob(page, shell.url, job)

  // Open the 10th, close it, move to the 12th.
  const tenth = (await tileAt(page, 9).getAttribute('data-sample-id'))!
  await tileAt(page, 9).dblclick()
  await expect(page.getByTestId('viewer')).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('viewer')).toHaveCount(0)
  await page.keyboard.press('ArrowRight')
  await page.keyboard.press('ArrowRight')
  const twelfth = (await tileAt(page, 11).getAttribute('data-sample-id'))!
  const name = (await ops.getImageInfoById(job.id, twelfth)).name
  // Plain arrows carry a single selection with the focus, as in a file manager.
  await expect(page.getByTestId('selection-count')).toHaveText('1 selected')
  await expect(tileAt(page, 11)).toHaveAttribute('aria-selected', 'true')
  await expect(tileAt(page, 9)).toHaveAttribute('aria-selected', 'false')

  await page.keyboard.press('Delete')
  const dialog = page.getByRole('dialog', { name: 'Delete 1 image?' })
  await expect(dialog).toContainText(`“${name}” will be deleted from the service.`)
  await page.keyboard.press('Enter')
  await expect(page.getByTestId('toast').filter({ hasText: `Deleted “${name}”.` })).toBeVisible()
  await expect
    .poll(() => goneOnService(ops, job.id, [twelfth, tenth]), { timeout: 30_000 })
    .toEqual([twelfth])
})

test('a selection is confirmed by its first names and its count', async ({
  page,
  shell,
  service
}) => {
  const job = demoJob(service, 'classification')
  const ops = serviceOps(service)
  await openDemoJob(page, shell.url, job)
  const ids: string[] = []
  for (let i = 0; i < 5; i++) ids.push((await tileAt(page, i).getAttribute('data-sample-id'))!)
  const names = await Promise.all(
    ids.slice(0, 3).map(async (id) => (await ops.getImageInfoById(job.id, id)).name)
  )
  await tileAt(page, 0).click()
  await page.keyboard.press('Shift+ArrowRight')
  await page.keyboard.press('Shift+ArrowRight')
  await page.keyboard.press('Shift+ArrowRight')
  await page.keyboard.press('Shift+ArrowRight')
  await expect(page.getByTestId('selection-count')).toHaveText('5 selected')
  await page.keyboard.press('Delete')
  const dialog = page.getByRole('dialog', { name: 'Delete 5 images?' })
  await expect(dialog).toContainText(
    `“${names[0]}”, “${names[1]}”, “${names[2]}”, and 2 more will be deleted from the service.`
  )
  await screenshot(page, 'delete-confirm-named-en.png')
  await dialog.getByRole('button', { name: 'Cancel' }).click()
  // Ctrl+A selects every image of the filter, as the README's keyboard table says.
  await page.getByTestId('grid').focus()
  await page.keyboard.press('ControlOrMeta+a')
  const total = (await ops.getStats(job.id)).all
  await expect(page.getByTestId('selection-count')).toHaveText(
    `${total.toLocaleString('en')} selected`
  )
})

test('Undo is offered for the whole undo window and works until it ends; each names its image', async ({
  page,
  shell,
  service
}) => {
  const job = demoJob(service, 'classification')
  const ops = serviceOps(service)
  await page.clock.install()
  await openDemoJob(page, shell.url, job)
  const first = (await tileAt(page, 0).getAttribute('data-sample-id'))!
  const second = (await tileAt(page, 1).getAttribute('data-sample-id'))!
  const [firstName, secondName] = await Promise.all(
    [first, second].map(async (id) => (await ops.getImageInfoById(job.id, id)).name)
  )
  const deleteFocused = async () => {
    await page.keyboard.press('Delete')
    await page.getByRole('dialog', { name: 'Delete 1 image?' }).getByRole('button').last().click()
  }
  await tileAt(page, 0).click()
  await deleteFocused()
  await expect(tileAt(page, 0)).toHaveAttribute('data-sample-id', second)
  await tileAt(page, 0).click()
  await deleteFocused()

  // Two toasts, each naming its image, each Undo named for what it takes back.
  const undoFirst = page.getByRole('button', { name: `Undo deleting “${firstName}”` })
  const undoSecond = page.getByRole('button', { name: `Undo deleting “${secondName}”` })
  await expect(undoFirst).toBeVisible()
  await expect(undoSecond).toBeVisible()
  await screenshot(page, 'undo-toasts-en.png')

  // Five seconds on (the window is ten by default), Undo still works.
  await page.clock.fastForward(5_000)
  await undoFirst.click()
  await expect(page.getByTestId('toast').filter({ hasText: 'Restored 1 image.' })).toBeVisible()

  // Past the window the Undo is gone, and only then does the deletion go out.
  await page.clock.fastForward(12_000)
  await expect(undoSecond).toHaveCount(0)
  await expect
    .poll(() => goneOnService(ops, job.id, [first, second]), { timeout: 15_000 })
    .toEqual([second])
})

test('a saved secret never reaches a listener the connection is edited to point at', async ({
  page,
  shell,
  service
}) => {
  const heard: { url?: string; headers: IncomingHttpHeaders; body: string }[] = []
  const listener = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      heard.push({ url: req.url, headers: req.headers, body })
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end('{"ok":true,"datasets":[],"total_number":0}')
    })
  })
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
  const listenerUrl = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`
  try {
    await openDemoJob(page, shell.url, demoJob(service, 'classification'))
    await page.getByRole('button', { name: 'Connections' }).click()
    await page.getByRole('button', { name: 'Edit' }).click()
    const form = page.getByRole('form', { name: /^Edit / })
    await form.getByLabel('Endpoint URL').fill(listenerUrl)
    const secret = form.getByLabel('Secret access key (SK)')
    await expect(secret).toHaveAccessibleDescription(/Enter it again/)
    await form.getByRole('button', { name: 'Test connection' }).click()
    await expect(form.getByText('Required.')).toBeVisible()
    await form.getByRole('button', { name: 'Save connection' }).click()
    await expect(form.getByText('Required.')).toBeVisible()
    // Back where it was entered, the saved secret is kept and works.
    await form.getByLabel('Endpoint URL').fill(service.demo.endpoint)
    await expect(secret).toHaveAccessibleDescription(/^Leave empty to keep the saved secret\./)
    await form.getByRole('button', { name: 'Test connection' }).click()
    await expect(form.getByText(/^Connected: \d+ jobs found\.$/)).toBeVisible()
    await form.getByLabel('Endpoint URL').fill(listenerUrl)
    await form.getByRole('button', { name: 'Cancel' }).click()
    // Using the connection now talks to the service it was saved for, not to the listener.
    await page.getByRole('button', { name: 'Open Local demo service' }).click()
    await expect(page.getByRole('button', { name: /^Open Shapes/ }).first()).toBeVisible()
    expect(heard.filter((h) => h.headers.authorization || h.headers['x-auth-token'])).toEqual([])
    expect(JSON.stringify(heard)).not.toContain(service.demo.sk)
  } finally {
    await new Promise((resolve) => listener.close(resolve))
  }
})
