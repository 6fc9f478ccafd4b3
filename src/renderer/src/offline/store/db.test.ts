import 'fake-indexeddb/auto'
import { Dexie } from 'dexie'
import { reviewReport } from '../report/report'
import { describe, expect, it } from 'vitest'
import { COUNT_INDEX, DUE_INDEX, EDITS_SCHEMA, groupsHolding, openTagdeckDb, SCHEMA_V2 } from './db'
import { jobPagesHolding } from './page-rows'
import { settledRows } from './batches'
import { deletions } from '../../../../../testing/offline'

/** The stores of schema version 8, as an older Tagdeck left them. */
const SCHEMA_V8 = {
  ...SCHEMA_V2,
  outbox: `id, [status+createdAt], ${COUNT_INDEX}, ${DUE_INDEX}, *keys`,
  inflight: 'id, [connectionId+jobId]',
  settled: 'id, [connectionId+jobId]',
  pages: '[connectionId+jobId+filterKey+perPage+page], lastUsedAt',
  pageIds: '[connectionId+jobId+filterKey+perPage+page]',
  edits: EDITS_SCHEMA,
  taskLists: '[connectionId+datasetId]',
  signatures: '[connectionId+jobId+sampleId]'
}

/** A verdict waiting to be sent, as versions 7 to 10 stored it. */
const storedVerdict = (sampleId: string, status: string, name: string | null = null) => ({
  connectionId: 'c1',
  jobId: 'j1',
  id: `c1/j1/${sampleId}/verdict`,
  sampleId,
  name,
  kind: 'verdict',
  labels: null,
  verdict: { stage: 'review', accept: true, comment: '', score: 'B' },
  history: [],
  status,
  attempts: 0,
  nextAttemptAt: 5,
  createdAt: 5,
  updatedAt: 5,
  lastError: null,
  conflict: null
})

describe('schema upgrade', () => {
  it("turns version 2's sending rows back into queued ones and done rows into a settled batch", async () => {
    const name = `upgrade-${Math.random()}`
    const v2 = new Dexie(name)
    v2.version(2).stores(SCHEMA_V2)
    const row = (sampleId: string, status: string) => ({
      id: `c1/j1/${sampleId}`,
      connectionId: 'c1',
      jobId: 'j1',
      sampleId,
      status,
      attempts: 1,
      nextAttemptAt: 5,
      createdAt: 1,
      updatedAt: 1,
      lastError: null,
      name: null,
      tags: ['cat'],
      boxTags: []
    })
    await v2
      .table('outbox')
      .bulkAdd([row('a', 'queued'), row('b', 'sending'), row('c', 'done'), row('d', 'failed')])
    v2.close()

    const db = openTagdeckDb(name)
    const statuses = Object.fromEntries((await deletions(db)).map((r) => [r.sampleId, r.status]))
    expect(statuses).toEqual({ a: 'queued', b: 'queued', d: 'failed' })
    expect(
      (await settledRows(db, { connectionId: 'c1', jobId: 'j1' })).map((r) => r.sampleId)
    ).toEqual(['c'])
    db.close()
  })

  it("turns version 4's row per sample into groups of at most 100 that share a job and a state", async () => {
    const name = `upgrade-v4-${Math.random()}`
    const v4 = new Dexie(name)
    v4.version(4).stores({
      ...SCHEMA_V2,
      outbox: `id, [status+createdAt], [connectionId+status], ${DUE_INDEX}`,
      inflight: 'id, [connectionId+jobId]',
      settled: 'id, [connectionId+jobId]'
    })
    const row = (jobId: string, i: number, status = 'queued') => ({
      id: `c1/${jobId}/s${String(i).padStart(4, '0')}`,
      connectionId: 'c1',
      jobId,
      sampleId: `s${String(i).padStart(4, '0')}`,
      status,
      attempts: status === 'failed' ? 1 : 0,
      nextAttemptAt: 5,
      createdAt: 1 + i,
      updatedAt: 1,
      lastError: status === 'failed' ? { code: 'x', message: 'no' } : null,
      name: `img-${i}.jpg`,
      tags: ['cat'],
      boxTags: ['cat']
    })
    const queued = Array.from({ length: 230 }, (_, i) => row('j1', i))
    await v4
      .table('outbox')
      .bulkAdd([...queued, row('j1', 500, 'failed'), row('j2', 0), row('j2', 1)])
    await v4.table('inflight').add({
      id: 'b1',
      connectionId: 'c1',
      jobId: 'j1',
      rowIds: [queued[0].id],
      startedAt: 1
    })
    v4.close()

    const db = openTagdeckDb(name)
    const groups = await db.outbox.toArray()
    const shape = groups.map((g) => `${g.jobId} ${g.status} ${g.keys.length} ${g.createdAt}`).sort()
    expect(shape).toEqual([
      'j1 failed 1 501',
      'j1 queued 100 1',
      'j1 queued 100 101',
      'j1 queued 30 201',
      'j2 queued 2 1'
    ])
    const all = await deletions(db)
    expect(all).toHaveLength(233)
    expect(all.find((d) => d.id === 'c1/j1/s0007')).toMatchObject({
      sampleId: 's0007',
      name: 'img-7.jpg',
      status: 'queued',
      nextAttemptAt: 5
    })
    expect((await groupsHolding(db, ['c1/j1/s0500']))[0].lastError).toEqual({
      code: 'x',
      message: 'no'
    })
    // The batch in flight named a row that is gone: dropped, its sample is queued again.
    expect(await db.inflight.count()).toBe(0)
    db.close()
  })

  it("gives version 5's pages their ids apart, so the pages holding a sample are still found", async () => {
    const name = `upgrade-v5-${Math.random()}`
    const v5 = new Dexie(name)
    v5.version(5).stores({
      ...SCHEMA_V2,
      outbox: `id, [status+createdAt], ${COUNT_INDEX}, ${DUE_INDEX}, *keys`,
      inflight: 'id, [connectionId+jobId]',
      settled: 'id, [connectionId+jobId]'
    })
    const page = (jobId: string, filterKey: string, n: number, ids: string[]) => ({
      connectionId: 'c1',
      jobId,
      filterKey,
      perPage: 2,
      page: n,
      sampleIds: ids,
      samples: ids.map((id) => ({ id })),
      fetchedAt: 1,
      lastUsedAt: 1,
      bytes: 10
    })
    await v5
      .table('pages')
      .bulkAdd([
        page('j1', 'everything', 1, ['a', 'b']),
        page('j1', 'everything', 2, ['c', 'd']),
        page('j1', 'tag:cat', 1, ['b', 'd']),
        page('j2', 'everything', 1, ['b'])
      ])
    v5.close()

    const db = openTagdeckDb(name)
    expect(await db.pageIds.count()).toBe(4)
    const holding = await jobPagesHolding(db, { connectionId: 'c1', jobId: 'j1' }, new Set(['b']))
    expect(holding.map((p) => `${p.filterKey} ${p.page}`).sort()).toEqual([
      'everything 1',
      'tag:cat 1'
    ])
    db.close()
  })

  it("gives version 8's waiting edits and deletions entries in the review log", async () => {
    const name = `upgrade-v8-${Math.random()}`
    const v8 = new Dexie(name)
    v8.version(8).stores(SCHEMA_V8)
    const job = { connectionId: 'c1', jobId: 'j1' }
    await v8.table('edits').add(storedVerdict('s1', 'queued', 'one.jpg'))
    await v8.table('outbox').add({
      ...job,
      id: 'g1',
      keys: ['c1/j1/s2', 'c1/j1/s3'],
      samples: [
        { sampleId: 's2', name: 'two.jpg', tags: [], boxTags: [] },
        { sampleId: 's3', name: null, tags: null, boxTags: [] }
      ],
      size: 2,
      status: 'failed',
      attempts: 1,
      nextAttemptAt: 7,
      createdAt: 7,
      updatedAt: 8,
      lastError: { code: 'x', message: 'no' }
    })
    v8.close()

    const db = openTagdeckDb(name)
    const report = await reviewReport(db, job)
    expect(report.map((e) => [e.kind, e.sampleId, e.name, e.state, e.at])).toEqual([
      ['verdict', 's1', 'one.jpg', 'pending', 5],
      ['delete', 's2', 'two.jpg', 'failed', 7],
      ['delete', 's3', null, 'failed', 7]
    ])
    expect((await db.edits.get('c1/j1/s1/verdict'))?.logId).toBe(report[0]?.id)
    db.close()
  })

  it('queues again the edits version 10 left `sending`, which version 11 no longer stores', async () => {
    const name = `upgrade-v10-${Math.random()}`
    const v10 = new Dexie(name)
    v10.version(10).stores({
      ...SCHEMA_V8,
      reviewLog: 'id, [connectionId+jobId+at]',
      signaturePacks: '[connectionId+jobId+packId]'
    })
    await v10
      .table('edits')
      .bulkAdd([storedVerdict('s1', 'sending'), storedVerdict('s2', 'failed')])
    v10.close()

    const db = openTagdeckDb(name)
    const statuses = Object.fromEntries(
      (await db.edits.toArray()).map((r) => [r.sampleId, r.status])
    )
    expect(statuses).toEqual({ s1: 'queued', s2: 'failed' })
    expect(await db.editFlight.count()).toBe(0)
    db.close()
  })
})
