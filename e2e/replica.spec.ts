import type { Page } from '@playwright/test'
import type { TagFilter } from '../src/shared/domain'
import { test, expect } from './fixtures'
import { allIds, browseAll, makeAvailableOffline, reopenJob } from './offline-helpers'
import { demoJob, openDemoJob, screenshot, serviceOps, thumbsLoaded } from './review-helpers'

// A job made available offline whole is a replica (issue 19): every filter, count and search
// answered from IndexedDB with the service stopped and the shell restarted, exactly as the
// service answered before it stopped. Real service, browser shell, Chromium's IndexedDB.
test.use({ locale: 'en-US', viewport: { width: 1280, height: 900 } })

/** The sidebar's radio for a filter. */
function chooseFilter(page: Page, filter: TagFilter) {
  const name =
    filter.kind === 'tag'
      ? filter.tag
      : { everything: 'Everything', tagged: 'All tagged', untagged: 'Untagged' }[filter.kind]
  return page
    .getByRole('group', { name: 'Show' })
    .getByRole('radio', { name: new RegExp(`^${name}`) })
    .check()
}

const count = (n: number) => (n === 1 ? '1 image' : `${n} images`)

test('every filter of a job held offline lists what the service listed, in its order, and a local search narrows it', async ({
  page,
  context,
  shell,
  service
}) => {
  test.setTimeout(180_000)
  const job = demoJob(service, 'detection')
  const ops = serviceOps(service)
  const labels = (await ops.listLabels(job.id)).map((l) => l.name)
  const filters: TagFilter[] = [
    { kind: 'everything' },
    { kind: 'tagged' },
    { kind: 'untagged' },
    ...labels.map((tag) => ({ kind: 'tag' as const, tag }))
  ]
  const expected = new Map<string, string[]>()
  for (const filter of filters)
    expected.set(JSON.stringify(filter), await allIds(ops, job.id, filter))
  const everything = await allIds(ops, job.id)
  const nameOf = new Map<string, string>()
  for (let p = 1; p <= Math.ceil(everything.length / 100); p++)
    for (const s of (await ops.listPage(job.id, { kind: 'everything' }, p, 100)).page.samples)
      nameOf.set(s.id, s.name)

  await openDemoJob(page, shell.url, job)
  await makeAvailableOffline(page)
  await service.close()
  await page.close()
  await shell.restart()
  const later = await reopenJob(context, shell.url, job)

  // None of these filters was ever shown online: the replica answers every one.
  for (const filter of filters) {
    const ids = expected.get(JSON.stringify(filter)) as string[]
    await chooseFilter(later, filter)
    await expect(later.getByTestId('grid-count')).toHaveText(count(ids.length))
    await expect(later.getByTestId('not-offline')).toHaveCount(0)
    expect(await browseAll(later, ids.length), JSON.stringify(filter)).toEqual(ids)
  }

  // A search the service cannot do: images with both of two labels, sorted by name.
  await chooseFilter(later, { kind: 'everything' })
  const search = later.getByRole('region', { name: 'Search this job' })
  await search.getByRole('combobox', { name: 'Match' }).selectOption('all')
  const [first, second] = labels
  await search.getByRole('checkbox', { name: new RegExp(`^${first}`) }).check()
  await search.getByRole('checkbox', { name: new RegExp(`^${second}`) }).check()
  await search.getByRole('combobox', { name: 'Sort by' }).selectOption('name')
  const both = new Set(expected.get(JSON.stringify({ kind: 'tag', tag: first })))
  const wanted = (expected.get(JSON.stringify({ kind: 'tag', tag: second })) as string[]).filter(
    (id) => both.has(id)
  )
  expect(wanted.length).toBeGreaterThan(0)
  await expect(later.getByTestId('grid-count')).toHaveText(count(wanted.length))
  await expect(search.getByRole('status')).toHaveText(
    wanted.length === 1 ? '1 image matches' : `${wanted.length} images match`
  )
  // In the order the app sorts names (numbers as numbers, case aside).
  const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })
  const byName = [...wanted].sort((a, b) =>
    collator.compare(nameOf.get(a) as string, nameOf.get(b) as string)
  )
  expect(await browseAll(later, wanted.length)).toEqual(byName)
  expect(everything.length).toBeGreaterThan(wanted.length)
  await later.getByTestId('grid').evaluate((el) => el.scrollTo({ top: 0 }))
  await thumbsLoaded(later, Math.min(8, wanted.length))
  await screenshot(later, 'offline-search-en.png')

  // Settings tells what the database holds: the job held offline is kept whatever the cap.
  await later.getByRole('button', { name: 'Settings' }).click()
  const settings = later.getByRole('dialog', { name: 'Settings' })
  const cap = settings.getByRole('combobox', { name: 'Cache of pages seen' })
  await expect(cap).toHaveValue('500')
  await expect(settings.getByTestId('storage-usage')).toHaveText(
    /^Pages seen use [\d.,]+ (byte|[kMG]B); jobs made available offline use [1-9][\d.,]* [kMG]B and are always kept\.$/
  )
  await cap.selectOption('0')
  await expect(cap).toHaveValue('0')
  await settings.getByRole('button', { name: 'Close' }).click()
  // The search stays over every filter until cleared.
  await later.getByRole('button', { name: 'Clear search' }).click()
  // The problem finder: the demo's untagged images, as a check with its count.
  const untagged = (expected.get(JSON.stringify({ kind: 'untagged' })) as string[]).length
  const noTags = search.getByRole('button', { name: new RegExp(`^No tags ${untagged}$`) })
  await noTags.click()
  await expect(noTags).toHaveAttribute('aria-pressed', 'true')
  await expect(later.getByTestId('grid-count')).toHaveText(count(untagged))
  await screenshot(later.getByRole('complementary'), 'problems-en.png')
  await noTags.click()
  // A planted defect: the images with duplicate boxes, and the viewer names the boxes.
  const duplicates = (service.demoDefects?.list ?? []).filter((d) => d.kind === 'duplicate')
  expect(duplicates.length).toBeGreaterThan(0)
  await search
    .getByRole('button', { name: new RegExp(`^Duplicate boxes ${duplicates.length}$`) })
    .click()
  await expect(later.getByTestId('grid-count')).toHaveText(count(duplicates.length))
  await later.getByTestId('tile').first().dblclick()
  const viewer = later.getByRole('dialog', { name: /^Image viewer: / })
  await expect(viewer.getByTestId('box-problem')).toHaveText(['Duplicate boxes', 'Duplicate boxes'])
  await screenshot(later, 'problems-viewer-en.png')
  await later.keyboard.press('Escape')
  await search.getByRole('button', { name: 'Clear search' }).click()
  await chooseFilter(later, { kind: 'untagged' })
  await expect(later.getByTestId('grid-count')).toHaveText(
    count((expected.get(JSON.stringify({ kind: 'untagged' })) as string[]).length)
  )
})
