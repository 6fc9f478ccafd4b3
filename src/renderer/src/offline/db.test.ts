import 'fake-indexeddb/auto'
import { Dexie } from 'dexie'
import { describe, expect, it } from 'vitest'
import { openTagdeckDb, SCHEMA_V2 } from './db'
import { settledRows } from './batches'

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
    const statuses = Object.fromEntries(
      (await db.outbox.toArray()).map((r) => [r.sampleId, r.status])
    )
    expect(statuses).toEqual({ a: 'queued', b: 'queued', d: 'failed' })
    expect(
      (await settledRows(db, { connectionId: 'c1', jobId: 'j1' })).map((r) => r.sampleId)
    ).toEqual(['c'])
    db.close()
  })
})
