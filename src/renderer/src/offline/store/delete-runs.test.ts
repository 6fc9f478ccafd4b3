import 'fake-indexeddb/auto'
import { Dexie, type Table } from 'dexie'
import { describe, expect, it } from 'vitest'
import { deleteInRuns } from './delete-runs'

type Row = { id: string; n: number }

function table(): { db: Dexie; rows: Table<Row, string> } {
  const db = new Dexie(`delete-runs-${Math.random().toString(36).slice(2)}`)
  db.version(1).stores({ rows: 'id, n' })
  return { db, rows: db.table('rows') }
}

const ids = (n: number) =>
  Array.from({ length: n }, (_, i) => `c1/j1/s${String(i).padStart(4, '0')}`)

describe('deleting rows by runs of neighbouring ids', () => {
  it('deletes exactly the ids asked for, keeping every row between and around them', async () => {
    const { db, rows } = table()
    const all = ids(100)
    await rows.bulkAdd(all.map((id, n) => ({ id, n })))
    // Runs, single ids, an id that is not there, and in no order.
    const going = [
      ...all.slice(10, 40),
      all[45],
      ...all.slice(50, 52),
      ...all.slice(90),
      'c1/j1/s0046x'
    ].reverse()
    await db.transaction('rw', rows, () => deleteInRuns(rows, going))
    const left = new Set(await rows.toCollection().primaryKeys())
    for (const id of all) expect(left.has(id)).toBe(!going.includes(id))
    // The index went with the rows.
    expect(await rows.where('n').between(10, 40).count()).toBe(0)
    expect(await rows.where('n').equals(40).count()).toBe(1)
  })

  it('with nothing to delete, reads nothing', async () => {
    const { db, rows } = table()
    await rows.add({ id: 'a', n: 1 })
    await db.transaction('rw', rows, () => deleteInRuns(rows, []))
    expect(await rows.count()).toBe(1)
  })

  it('uses a range delete for each run: 3 requests for 600 ids in 3 runs', async () => {
    const { db, rows } = table()
    const all = ids(1000)
    await rows.bulkAdd(all.map((id, n) => ({ id, n })))
    const going = [...all.slice(0, 200), ...all.slice(300, 500), ...all.slice(700, 900)]
    const store = IDBObjectStore.prototype
    const deletes: unknown[] = []
    const original = store.delete
    store.delete = function (this: IDBObjectStore, key: IDBValidKey | IDBKeyRange) {
      deletes.push(key)
      return original.call(this, key)
    }
    try {
      await db.transaction('rw', rows, () => deleteInRuns(rows, going))
    } finally {
      store.delete = original
    }
    expect(deletes).toHaveLength(3)
    expect(await rows.count()).toBe(400)
  })
})
