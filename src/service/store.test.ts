import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Credentials } from './credentials'
import { openDatabase, type Db } from './db'
import { random } from './demo'
import { STRIDE } from './page-index'
import type { StoredLabel } from './rows'
import { Store, type SampleFilter } from './store'

// The store against a plain in-memory model: pages (shallow and anchored deep ones), counters
// and label stats must agree after every round of deletes; every query must use an index.
const SIZE = 6 * STRIDE + 77
const LABELS = ['a', 'b', 'c']

interface ModelRow {
  id: string
  time: number
  labels: StoredLabel[]
}

let dir: string
let db: Db
let store: Store
let job: string
let other: string
let model: ModelRow[] = []
let otherIds: string[] = []

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-store-'))
  db = openDatabase(path.join(dir, 'tagdeck.db'))
  store = new Store(db)
  const project = new Credentials(db).createProject('p', 'd')
  const labels = LABELS.map((name) => ({ name, color: '#123456' }))
  const base = { projectId: project.id, description: '', createTime: 1, labels }
  job = store.createDataset({ ...base, name: 'detection', type: 1 })
  other = store.createDataset({ ...base, name: 'other', type: 0 })
  const rand = random(7)
  const samples = Array.from({ length: SIZE }, (_, i) => {
    // Few distinct times, so many ties for the id to break.
    const time = 1_000_000 + Math.floor(rand() * SIZE * 0.3) * 1000
    const boxes = Math.floor(rand() * 4)
    const labels: StoredLabel[] = Array.from({ length: boxes }, (): StoredLabel => {
      const name = LABELS[Math.floor(rand() * LABELS.length)] ?? 'a'
      return [name, 1, 2, 30, 40]
    })
    return {
      name: `s${i}`,
      time,
      width: 64,
      height: 48,
      format: 'jpg' as const,
      labels,
      recipe: null
    }
  })
  const ids = store.insertSamples(job, samples)
  model = samples.map((s, i) => ({ id: ids[i] ?? '', time: s.time, labels: s.labels }))
  otherIds = store.insertSamples(other, samples.slice(0, 50))
})
afterAll(async () => {
  db?.close()
  await rm(dir, { recursive: true, force: true })
})

const names = (row: ModelRow) => new Set(row.labels.map((l) => (typeof l === 'string' ? l : l[0])))
const FILTERS: SampleFilter[] = [
  { kind: 'all' },
  { kind: 'tagged' },
  { kind: 'untagged' },
  ...LABELS.map((label) => ({ kind: 'label' as const, label }))
]

function expected(filter: SampleFilter, order: 'asc' | 'desc'): string[] {
  const rows = model.filter((row) => {
    if (filter.kind === 'all') return true
    if (filter.kind === 'tagged') return row.labels.length > 0
    if (filter.kind === 'untagged') return row.labels.length === 0
    return names(row).has(filter.label)
  })
  rows.sort((x, y) => x.time - y.time || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0))
  if (order === 'desc') rows.reverse()
  return rows.map((row) => row.id)
}

function checkEverything(): void {
  const dataset = store.dataset(datasetProject(), job)
  expect(dataset).not.toBeNull()
  if (!dataset) return
  for (const filter of FILTERS)
    for (const order of ['asc', 'desc'] as const) {
      const all = expected(filter, order)
      expect(store.count(dataset, filter)).toBe(all.length)
      for (const limit of [100, 37])
        for (const page of [
          0,
          1,
          Math.floor(all.length / limit) - 1,
          Math.floor(all.length / limit)
        ]) {
          if (page < 0) continue
          const got = store.pageIds(job, filter, order, page, limit)
          expect(got, `${JSON.stringify(filter)} ${order} page ${page}x${limit}`).toEqual(
            all.slice(page * limit, page * limit + limit)
          )
        }
    }
  const stats = store.labels(job)
  for (const label of LABELS) {
    const withIt = model.filter((row) => names(row).has(label))
    const boxes = model.flatMap((row) => row.labels).filter((l) => l[0] === label)
    expect(stats.find((l) => l.name === label)).toMatchObject({
      sampleCount: withIt.length,
      count: boxes.length
    })
  }
  expect(dataset.sampleCount).toBe(model.length)
  expect(dataset.taggedCount).toBe(model.filter((row) => row.labels.length > 0).length)
  expect(dataset.deletedCount).toBe(SIZE - model.length)
  const linked = db
    .prepare('SELECT count(*) FROM sample_labels WHERE dataset_id = ?')
    .pluck()
    .get(job)
  expect(linked).toBe(model.reduce((n, row) => n + names(row).size, 0))
}

function datasetProject(): string {
  return String(db.prepare('SELECT project_id FROM datasets WHERE id = ?').pluck().get(job))
}

describe('Store', () => {
  it('pages every filter in both orders like the model, deep pages from anchors', () => {
    checkEverything()
    expect(store.pages.size).toBeGreaterThan(0)
  })

  it('stays exact through rounds of deletes (anchors adjusted, counters kept)', () => {
    const rand = random(11)
    for (let round = 0; round < 6; round++) {
      const victims = model.filter(() => rand() < 0.04).map((row) => row.id)
      const asked = [...victims, victims[0] ?? 'x', 'no-such-id', otherIds[round] ?? 'y']
      const { outcomes, rows } = store.deleteSamples(job, asked)
      expect(outcomes.map((o) => o.id)).toEqual(asked)
      expect(outcomes.map((o) => o.deleted)).toEqual([
        ...victims.map(() => true),
        false,
        false,
        false
      ])
      expect(rows.map((row) => row.id)).toEqual(victims)
      const gone = new Set(victims)
      model = model.filter((row) => !gone.has(row.id))
      checkEverything()
    }
    // The other dataset's sample named in a request for this one was not touched.
    expect(store.samples(other, otherIds)).toHaveLength(otherIds.length)
  })

  it('answers every listing query from an index, never a table scan or a sort', () => {
    const plans = store
      .preparedSql()
      .filter((sql) => sql.trimStart().startsWith('SELECT'))
      .map((sql) => {
        const args = [...sql.matchAll(/\?/g)].map(() => 'x')
        const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]
        return { sql, details: rows.map((r) => r.detail) }
      })
    expect(plans.length).toBeGreaterThan(8)
    for (const { sql, details } of plans) {
      const bad = details.filter(
        (d) => (d.startsWith('SCAN') && !d.startsWith('SCAN asked')) || d.includes('TEMP B-TREE')
      )
      expect(bad, sql).toEqual([])
    }
    const deep = plans.find((p) => p.sql.includes('sample_labels') && p.sql.includes('>= (?, ?)'))
    expect(deep?.details.join()).toMatch(/SEARCH sample_labels USING PRIMARY KEY/)
  })
})
