import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { openTagdeckDb, type PageRow } from './db'
import { deletePages, jobPageIds, jobPagesHolding, pageKeyOf, putPages } from './page-rows'

const job = { connectionId: 'c1', jobId: 'j1' }

const page = (n: number, ids: string[], filterKey = 'everything'): PageRow => ({
  ...job,
  filterKey,
  perPage: 3,
  page: n,
  sampleIds: ids,
  samples: ids.map((id) => ({
    id,
    name: `${id}.jpg`,
    tags: [],
    boxes: [],
    size: null,
    annotated: false,
    time: 0,
    bytes: null
  })),
  fetchedAt: 1,
  lastUsedAt: 1,
  bytes: 10
})

async function holding(db: ReturnType<typeof openTagdeckDb>, ids: string[]) {
  const pages = await jobPagesHolding(db, job, new Set(ids))
  return pages.map((p) => `${p.filterKey} ${p.page}`).sort()
}

describe('pages and their ids', () => {
  it('finds exactly the pages holding an id, whatever the id holds', async () => {
    const db = openTagdeckDb(`page-rows-${Math.random()}`)
    await putPages(db, [
      page(1, ['a', 'ba', 'ab']),
      page(2, ['x"y', 'p,q', '[a]']),
      page(3, ['b', 'a'], 'tag:cat'),
      { ...page(1, ['a']), jobId: 'other' }
    ])
    // A whole element only: not inside another id, nor across an escaped quote or a comma.
    expect(await holding(db, ['a'])).toEqual(['everything 1', 'tag:cat 3'])
    expect(await holding(db, ['b'])).toEqual(['tag:cat 3'])
    expect(await holding(db, ['y'])).toEqual([])
    expect(await holding(db, ['q'])).toEqual([])
    expect(await holding(db, ['x"y'])).toEqual(['everything 2'])
    expect(await holding(db, ['p,q'])).toEqual(['everything 2'])
    expect(await holding(db, ['[a]'])).toEqual(['everything 2'])
    // Many ids at once are looked up in the parsed rows; the same answer.
    const many = ['ba', ...Array.from({ length: 30 }, (_, i) => `none-${i}`)]
    expect(await holding(db, many)).toEqual(['everything 1'])
    db.close()
  })

  it('writes and deletes a page and its ids together', async () => {
    const db = openTagdeckDb(`page-rows-${Math.random()}`)
    const pages = [page(1, ['a', 'b']), page(2, ['c'])]
    await putPages(db, pages)
    expect((await jobPageIds(db, job)).map((r) => r.page)).toEqual([1, 2])
    await deletePages(db, [pageKeyOf(pages[0])])
    expect(await db.pages.count()).toBe(1)
    expect((await jobPageIds(db, job)).map((r) => r.page)).toEqual([2])
    expect(await holding(db, ['a'])).toEqual([])
    db.close()
  })
})
