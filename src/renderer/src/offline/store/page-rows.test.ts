import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { openTagdeckDb, type PageRow } from './db'
import {
  deletePages,
  jobPageIds,
  jobPagesHolding,
  pageKeyOf,
  putPages,
  type PageGuess
} from './page-rows'

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

async function holding(db: ReturnType<typeof openTagdeckDb>, ids: string[], guess?: PageGuess) {
  const pages = await jobPagesHolding(db, job, new Set(ids), guess)
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

  it('with a guess of where one listing keeps them, finds the same pages, however wrong the guess', async () => {
    const db = openTagdeckDb(`page-rows-${Math.random()}`)
    await putPages(db, [
      page(1, ['a', 'b', 'c']),
      page(2, ['d', 'e', 'f']),
      page(3, ['g']),
      page(1, ['e', 'a'], 'tag:cat'),
      { ...page(1, ['a']), jobId: 'other' }
    ])
    const guess = (pageOf: [string, number][]): PageGuess => ({
      prefix: ['c1', 'j1', 'everything', 3],
      pageOf: new Map(pageOf)
    })
    const right = guess([
      ['a', 1],
      ['e', 2],
      ['g', 3]
    ])
    for (const ids of [['a'], ['e', 'g'], ['b', 'f'], ['x']]) {
      const truth = await holding(db, ids)
      expect(await holding(db, ids, right)).toEqual(truth)
      // A page off (a refresh moved them), or not guessed at all: looked for, found alike.
      const off = guess(ids.map((id) => [id, 3]))
      expect(await holding(db, ids, off)).toEqual(truth)
      expect(await holding(db, ids, guess([]))).toEqual(truth)
    }
    expect(await holding(db, ['a', 'e'], right)).toEqual([
      'everything 1',
      'everything 2',
      'tag:cat 1'
    ])
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
