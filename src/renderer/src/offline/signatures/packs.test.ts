import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { jobSignatures, packFromMain } from './packs'
import { setLogSink } from '../log'
import { makeWorld, packedForTest } from '../../../../../testing/offline'

const job = { connectionId: 'c1', jobId: 'j1' }
const other = { connectionId: 'c1', jobId: 'j2' }
const sig = (n: number) =>
  Array.from({ length: 48 }, (_, i) => (i === n % 48 ? 1 : i === 47 ? -0.5 : 0))

describe("a job's signatures, a chunk a row and one a row", () => {
  it('reads packs and single rows together, counts from the keys, and deletes both', async () => {
    const { ctx } = makeWorld()
    const db = ctx.db
    const chunk = packedForTest([sig(1), null, sig(3)], ['a', 'b', 'c'])
    const pack = (of: typeof job) => {
      const row = packFromMain(of, chunk)
      if (!row) throw new Error('not packed')
      return row
    }
    await db.signaturePacks.put(pack(job))
    await db.signaturePacks.put(pack(other))
    await db.signatures.put({ ...job, sampleId: 'd', signature: Float32Array.from(sig(4)) })
    expect(await jobSignatures(db, job).count()).toBe(4)
    const rows = new Map((await jobSignatures(db, job).toArray()).map((r) => [r.sampleId, r]))
    expect([...rows.keys()].sort()).toEqual(['a', 'b', 'c', 'd'])
    expect(rows.get('a')?.signature).toEqual(Float32Array.from(sig(1)))
    expect(rows.get('b')?.signature).toBeNull()
    expect(rows.get('c')).toMatchObject({ ...job, sampleId: 'c' })
    // The same chunk fetched again replaces its row.
    await db.signaturePacks.put(pack(job))
    expect(await db.signaturePacks.count()).toBe(2)
    await jobSignatures(db, job).delete()
    expect(await jobSignatures(db, job).count()).toBe(0)
    expect(await jobSignatures(db, other).count()).toBe(3)
  })

  it("stores nothing, and says so, when main's values do not match its ids", () => {
    const logged: string[] = []
    setLogSink((what) => logged.push(what))
    const packed = packedForTest([sig(1), sig(2)], ['a', 'b'])
    expect(packFromMain(job, { ...packed, sampleIds: ['a'] })).toBeNull()
    expect(logged).toEqual(['near-duplicate signatures from main were not stored'])
  })
})
