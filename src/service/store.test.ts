import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Credentials } from './credentials'
import { openDatabase, type Db } from './db'
import { seededRandom as random } from '../shared/random'
import { STRIDE } from './page-index'
import { labelName, type StoredLabel } from './rows'
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
/** A labeling task over every third sample of `job`. */
let task: string
let inTask = new Set<string>()

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
  inTask = new Set(ids.filter((_, i) => i % 3 === 0))
  task = db.transaction(() =>
    store.tasks.create(job, { name: 't', type: 1, status: 1, createTime: 2 }, [...inTask])
  )()
})
afterAll(async () => {
  db?.close()
  await rm(dir, { recursive: true, force: true })
})

const names = (row: ModelRow) => new Set(row.labels.map(labelName))
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
    if (filter.kind === 'review') throw new Error('not a dataset filter')
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
          const got = store.pageIds({ datasetId: job, taskId: null }, filter, order, page, limit)
          expect(got, `${JSON.stringify(filter)} ${order} page ${page}x${limit}`).toEqual(
            all.slice(page * limit, page * limit + limit)
          )
        }
    }
  // The task: the same listings over its own samples, exact through the same deletes.
  for (const filter of FILTERS)
    for (const order of ['asc', 'desc'] as const) {
      const all = expected(filter, order).filter((id) => inTask.has(id))
      expect(store.tasks.count(task, filter)).toBe(all.length)
      for (const page of [0, 1, Math.floor(all.length / 37)]) {
        const got = store.pageIds({ datasetId: job, taskId: task }, filter, order, page, 37)
        expect(got, `task ${JSON.stringify(filter)} ${order} page ${page}`).toEqual(
          all.slice(page * 37, page * 37 + 37)
        )
      }
    }
  const taskLabels = store.tasks.labelCounts(task)
  for (const label of LABELS)
    expect(taskLabels.get(label)?.samples ?? 0).toBe(
      model.filter((row) => inTask.has(row.id) && names(row).has(label)).length
    )
  const stats = store.labels(job)
  for (const label of LABELS) {
    const withIt = model.filter((row) => names(row).has(label))
    const boxes = model.flatMap((row) => row.labels).filter((l) => labelName(l) === label)
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

  it("lists a workspace's datasets of one version, or of all", () => {
    const project = datasetProject()
    const v2 = store.createDataset({
      projectId: project,
      name: 'by data type',
      description: '',
      type: 1,
      createTime: 3,
      labels: [],
      version: 'v2'
    })
    const elsewhere = store.createDataset({
      projectId: project,
      name: 'team b',
      description: '',
      type: 0,
      createTime: 4,
      labels: [],
      workspaceId: 'wsb'
    })
    const ids = (workspace: string, version: 'v1' | 'v2' | 'all') =>
      store.listDatasets(project, workspace, version, 0, 100).rows.map((row) => row.id)
    // Created at the same time, `job` and `other` list in id order.
    const v1 = [job, other].sort()
    expect(ids('0', 'v1')).toEqual(v1)
    expect(ids('0', 'v2')).toEqual([v2])
    expect(ids('0', 'all')).toEqual([...v1, v2])
    expect(ids('wsb', 'all')).toEqual([elsewhere])
    expect(store.dataset(project, job)?.taskCount).toBe(1)
    expect(store.tasks.has(task, [...inTask][0] ?? '')).toBe(true)
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
