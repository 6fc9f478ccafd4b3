import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { openTagdeckDb } from '../store/db'
import { packKey } from '../signatures/packs'
import { SIGNATURE_LENGTH } from './near-duplicates'
import { storedSignatures } from './stored-signatures'

const job = { connectionId: 'c1', jobId: 'j1' }
const sig = (v: number) => new Float32Array(SIGNATURE_LENGTH).fill(v)

describe('a job’s stored signatures', () => {
  it('reads single rows and a download’s packs together, a pack winning over a row', async () => {
    const db = openTagdeckDb(`stored-signatures-${Math.random()}`)
    await db.signatures.bulkPut([
      { ...job, sampleId: 'a', signature: sig(1) },
      { ...job, sampleId: 'b', signature: sig(2) },
      { ...job, sampleId: 'flat', signature: null },
      { connectionId: 'c1', jobId: 'other', sampleId: 'z', signature: sig(9) }
    ])
    const ids = ['b', 'c', 'd']
    const values = new Float32Array(ids.length * SIGNATURE_LENGTH)
    values.set(sig(5), 0)
    values.set(sig(3), SIGNATURE_LENGTH)
    // d: all zero, a flat image.
    await db.signaturePacks.put({ ...job, packId: packKey(ids), sampleIds: ids, values })

    const stored = await storedSignatures(db, job, 6)
    const of = (id: string) => {
      const at = stored.placeOf.get(id)
      if (at === undefined || at < 0) return at
      return stored.values[at * SIGNATURE_LENGTH]
    }
    expect([...stored.placeOf.keys()].sort()).toEqual(['a', 'b', 'c', 'd', 'flat'])
    expect(of('a')).toBe(1)
    expect(of('b')).toBe(5)
    expect(of('c')).toBe(3)
    expect(of('d')).toBe(-1)
    expect(of('flat')).toBe(-1)
    // Three signatures, each once: b's row and pack share one place.
    const places = [...stored.placeOf.values()].filter((p) => p >= 0)
    expect(new Set(places).size).toBe(3)
    db.close()
  })
})
