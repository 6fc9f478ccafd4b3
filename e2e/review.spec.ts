import { test, expect } from './fixtures'
import {
  demoJob,
  escapeRegExp,
  goneOnService,
  openDemoJob,
  screenshot,
  serviceOps,
  tileAt,
  thumbsLoaded,
  tileIds
} from './review-helpers'

test.use({ locale: 'en-US', viewport: { width: 1280, height: 800 } })
// Tagged @electron: these run against the browser shell and against real Electron (fixtures.ts).

test(
  'filters: a tag shows only images with it, untagged shows none with tags, and paging reaches the end',
  { tag: '@electron' },
  async ({ appPage: page, app, service }) => {
    const job = demoJob(service, 'classification')
    const ops = serviceOps(service)
    const stats = await ops.getStats(job.id)
    const label = [...stats.labels].sort((a, b) => b.sampleCount - a.sampleCount)[0]
    await openDemoJob(page, app.url, job)
    await expect(page.getByTestId('grid-count')).toHaveText(
      `${stats.all.toLocaleString('en')} images`
    )
    await thumbsLoaded(page, 15)
    await screenshot(page, 'grid-en.png')

    await page
      .getByRole('radio', { name: new RegExp(`^${escapeRegExp(label.name)} [\\d,]+$`) })
      .check()
    await expect(page.getByTestId('grid-count')).toHaveText(
      `${label.sampleCount.toLocaleString('en')} ${label.sampleCount === 1 ? 'image' : 'images'}`
    )
    const tagged = page.getByTestId('tile')
    await expect(tagged.first()).toBeVisible()
    const names = await tagged.evaluateAll((els) =>
      els.map((e) => e.getAttribute('aria-label') ?? '')
    )
    expect(names.length).toBeGreaterThan(0)
    for (const name of names)
      expect(name.split(': ').slice(1).join(': ').split(', ')).toContain(label.name)

    await page.getByRole('radio', { name: /^Untagged [\d,]+$/ }).check()
    await expect(page.getByTestId('grid-count')).toHaveText(
      `${stats.untagged.toLocaleString('en')} ${stats.untagged === 1 ? 'image' : 'images'}`
    )
    await expect(page.getByTestId('tile').first()).toBeVisible()
    await expect(page.getByTestId('tile-tag')).toHaveCount(0)
    for (const name of await page
      .getByTestId('tile')
      .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))) {
      expect(name).toMatch(/: no tags$/)
    }

    // Far into the job: the very last image, as the service orders it.
    await page.getByRole('radio', { name: /^Everything [\d,]+$/ }).check()
    await expect(page.getByTestId('tile').first()).toBeVisible()
    const lastPage = Math.ceil(stats.all / 100)
    const last = (
      await ops.listPage(job.id, { kind: 'everything' }, lastPage, 100)
    ).page.samples.at(-1)
    await page.getByTestId('grid').evaluate((el) => el.scrollTo({ top: el.scrollHeight }))
    const lastTile = tileAt(page, stats.all - 1)
    await expect(lastTile).toBeVisible()
    await expect(lastTile).toHaveAttribute('data-sample-id', last!.id)
    // Only about three viewports of tiles are in the DOM, however long the job is.
    expect(await page.getByRole('option').count()).toBeLessThan(200)
  }
)

test(
  'the viewer draws as many boxes as the service has for a detection image',
  { tag: '@electron' },
  async ({ appPage: page, app, service }) => {
    const job = demoJob(service, 'detection')
    const ops = serviceOps(service)
    const first = (await ops.listPage(job.id, { kind: 'everything' }, 1, 100)).page.samples
    const index = first.findIndex((s) => s.boxes.length >= 2)
    expect(index).toBeGreaterThanOrEqual(0)
    const expected = await ops.getImageInfoById(job.id, first[index].id)

    await openDemoJob(page, app.url, job)
    await tileAt(page, index).scrollIntoViewIfNeeded()
    await tileAt(page, index).dblclick()
    const viewer = page.getByRole('dialog', { name: `Image viewer: ${expected.name}` })
    await expect(viewer).toBeVisible()
    const caption = viewer.getByTestId('box-count')
    await expect(caption).toHaveText(`${expected.boxes.length} boxes`)
    await expect(caption).toHaveAttribute('data-drawn', String(expected.boxes.length))
    await expect(
      viewer.getByText(`${expected.size!.width} × ${expected.size!.height} px`)
    ).toBeVisible()
    await expect(
      viewer.getByRole('img', { name: `${expected.name} with its boxes` })
    ).toHaveAttribute('aria-busy', 'false')
    await screenshot(page, 'viewer-en.png')

    // Boxes sit where the service says, in image pixels: pointing at one highlights it in the list.
    const stage = viewer.getByRole('img', { name: `${expected.name} with its boxes` })
    const area = (await stage.boundingBox())!
    const size = expected.size!
    const zoom = Math.min((area.width - 32) / size.width, (area.height - 32) / size.height)
    const box = expected.boxes[0]
    await page.mouse.move(
      area.x + (area.width - size.width * zoom) / 2 + ((box.x1 + box.x2) / 2) * zoom,
      area.y + (area.height - size.height * zoom) / 2 + ((box.y1 + box.y2) / 2) * zoom
    )
    const boxList = viewer.getByRole('list', { name: 'Boxes' })
    await expect(boxList.getByRole('button').first()).toHaveAttribute('aria-current', 'true')
    await page.mouse.move(area.x + 2, area.y + 2)
    await expect(boxList.locator('[aria-current="true"]')).toHaveCount(0)
    // From the keyboard: focusing a box in the list highlights it, and says so.
    await boxList.getByRole('button').nth(1).focus()
    await expect(boxList.getByRole('button').nth(1)).toHaveAttribute('aria-current', 'true')
    await expect(viewer.getByRole('list', { name: 'Tags' })).toBeVisible()
    // Wheel zooms, Fit comes back.
    const zoomLabel = viewer.getByText(/^Zoom \d+%$/)
    const fitted = await zoomLabel.textContent()
    await page.mouse.wheel(0, -400)
    await expect(zoomLabel).not.toHaveText(fitted!)
    await viewer.getByRole('button', { name: 'Fit to window' }).click()
    await expect(zoomLabel).toHaveText(fitted!)

    // Next without closing: the caption follows the image.
    const next = await ops.getImageInfoById(job.id, first[index + 1].id)
    await viewer.getByRole('button', { name: 'Next image' }).click()
    await expect(page.getByRole('dialog', { name: `Image viewer: ${next.name}` })).toBeVisible()
    await expect(page.getByTestId('box-count')).toHaveText(
      `${next.boxes.length} ${next.boxes.length === 1 ? 'box' : 'boxes'}`
    )
    await page.getByRole('button', { name: 'Close viewer' }).click()
    await expect(page.getByRole('dialog')).toHaveCount(0)
  }
)

test(
  'deleting one image and a selection of ten removes exactly those from the service',
  { tag: '@electron' },
  async ({ appPage: page, app, service }) => {
    const job = demoJob(service, 'classification')
    const ops = serviceOps(service)
    const before = (await ops.getStats(job.id)).all
    await openDemoJob(page, app.url, job)

    // One, from the grid, with the confirmation that states the count.
    await tileAt(page, 0).click()
    const one = (await tileAt(page, 0).getAttribute('data-sample-id'))!
    await page.keyboard.press('Delete')
    const confirmOne = page.getByRole('dialog', { name: 'Delete 1 image?' })
    await expect(confirmOne).toBeVisible()
    await confirmOne.getByRole('button', { name: 'Delete 1 image' }).click()
    await expect(page.getByTestId('toast').filter({ hasText: /^Deleted “.+”\./ })).toBeVisible()
    await expect(page.getByTestId('grid-count')).toHaveText(
      `${(before - 1).toLocaleString('en')} images`
    )
    await expect(tileAt(page, 0)).not.toHaveAttribute('data-sample-id', one)

    // Ten: click, shift-click, delete the selection.
    await tileAt(page, 2).click()
    await tileAt(page, 11).click({ modifiers: ['Shift'] })
    await expect(page.getByTestId('selection-count')).toHaveText('10 selected')
    const ten = (await tileIds(page)).slice(2, 12)
    await page.getByRole('button', { name: 'Delete selected' }).click()
    const confirmTen = page.getByRole('dialog', { name: 'Delete 10 images?' })
    await confirmTen.getByRole('button', { name: 'Delete 10 images' }).click()
    await expect(
      page.getByTestId('toast').filter({ hasText: /^Deleted 10 images: “.+”, and 7 more\./ })
    ).toBeVisible()
    await expect(page.getByTestId('selection-count')).toHaveText('Nothing selected')
    await expect(page.getByTestId('grid-count')).toHaveText(
      `${(before - 11).toLocaleString('en')} images`
    )

    // Deletions go through the outbox: sent after the undo window (10 s by default).
    await expect
      .poll(() => goneOnService(ops, job.id, [one, ...ten]).then((ids) => ids.sort()), {
        timeout: 30_000
      })
      .toEqual([one, ...ten].sort())
    expect((await ops.getStats(job.id)).all).toBe(before - 11)
    for (const id of await tileIds(page)) expect([one, ...ten]).not.toContain(id)
  }
)

test('keyboard-only review of five images', async ({ page, shell, service }) => {
  const job = demoJob(service, 'detection')
  const ops = serviceOps(service)
  const samples = (await ops.listPage(job.id, { kind: 'everything' }, 1, 100)).page.samples
  await openDemoJob(page, shell.url, job)

  // Into the grid with Tab alone.
  const grid = page.getByRole('listbox', { name: 'Images' })
  for (let i = 0; i < 40 && !(await grid.evaluate((el) => el.matches(':focus'))); i++) {
    await page.keyboard.press('Tab')
  }
  await expect(grid).toBeFocused()
  await expect(grid).toHaveAttribute('aria-activedescendant', 'tile-0')
  await page.keyboard.press('ArrowRight')
  await page.keyboard.press('ArrowLeft')
  await page.keyboard.press('Enter')
  for (let i = 0; i < 5; i++) {
    const viewer = page.getByRole('dialog', { name: `Image viewer: ${samples[i].name}` })
    await expect(viewer).toBeVisible()
    await expect(viewer.getByTestId('box-count')).toHaveAttribute(
      'data-drawn',
      String(samples[i].boxes.length)
    )
    if (i === 1) {
      await page.keyboard.press('b') // boxes off and on again
      await page.keyboard.press('b')
    }
    if (i < 4) await page.keyboard.press('j')
  }
  await page.keyboard.press('k')
  await expect(page.getByRole('dialog', { name: `Image viewer: ${samples[3].name}` })).toBeVisible()
  await page.keyboard.press('j')

  // Delete the fifth from the viewer; Enter confirms, the viewer moves on to the next image.
  await page.keyboard.press('Delete')
  await expect(page.getByRole('dialog', { name: 'Delete 1 image?' })).toBeVisible()
  await page.keyboard.press('Enter')
  await expect(
    page.getByTestId('toast').filter({ hasText: `Deleted “${samples[4].name}”.` })
  ).toBeVisible()
  await expect(page.getByRole('dialog', { name: `Image viewer: ${samples[5].name}` })).toBeVisible()
  await expect
    .poll(() => goneOnService(ops, job.id, [samples[4].id]), { timeout: 30_000 })
    .toEqual([samples[4].id])

  // Esc back to the grid, focus visible on the same place; x selects; ? lists the shortcuts.
  await page.keyboard.press('Escape')
  await expect(page.getByRole('dialog')).toHaveCount(0)
  await expect(grid).toBeFocused()
  await expect(grid).toHaveAttribute('aria-activedescendant', 'tile-4')
  await expect(tileAt(page, 4)).toHaveCSS('outline-style', 'solid')
  await page.keyboard.press('x')
  await expect(page.getByTestId('selection-count')).toHaveText('1 selected')
  await page.keyboard.press('?')
  const sheet = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
  await expect(sheet).toBeVisible()
  await expect(sheet.getByText('Delete the image, or the selection').first()).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(sheet).toHaveCount(0)
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('selection-count')).toHaveText('Nothing selected')
})
