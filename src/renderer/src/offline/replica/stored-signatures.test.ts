import 'fake-indexeddb/auto'
import { describe, expect, it } from 'vitest'
import { openTagdeckDb } from '../store/db'
import { packKey } from '../signatures/packs'
import { INDEX_TABLES, SIGNATURE_LENGTH, signatureKeys } from './near-duplicates'
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

  it('works out each signature’s bucket keys as it reads them, the pack’s where both hold one', async () => {
    const db = openTagdeckDb(`stored-signatures-${Math.random()}`)
    const ramp = (up: boolean) =>
      Float32Array.from(
        { length: SIGNATURE_LENGTH },
        (_, i) => (up ? i : -i) - SIGNATURE_LENGTH / 2
      )
    const keysOf = (signature: Float32Array) => {
      const keys = new Uint32Array(INDEX_TABLES)
      signatureKeys(signature, 0, 1, keys)
      return [...keys]
    }
    expect(keysOf(ramp(true))).not.toEqual(keysOf(ramp(false)))
    await db.signatures.bulkPut([
      { ...job, sampleId: 'a', signature: ramp(true) },
      { ...job, sampleId: 'b', signature: ramp(true) }
    ])
    await db.signaturePacks.put({
      ...job,
      packId: packKey(['b']),
      sampleIds: ['b'],
      values: ramp(false)
    })

    // Fewer counted than stored: the arrays grow, keys with them.
    const stored = await storedSignatures(db, job, 1)
    const keysAt = (id: string) => {
      const at = stored.placeOf.get(id) as number
      return [...stored.keys.subarray(at * INDEX_TABLES, (at + 1) * INDEX_TABLES)]
    }
    expect(keysAt('a')).toEqual(keysOf(ramp(true)))
    expect(keysAt('b')).toEqual(keysOf(ramp(false)))
    db.close()
  })

  it('reads every pack of a job across many transactions, none twice', async () => {
    const db = openTagdeckDb(`stored-signatures-${Math.random()}`)
    // 60 packs (the read takes 25 a transaction) of two signatures, and one of another job.
    const ids = Array.from({ length: 120 }, (_, i) => `s${String(i).padStart(3, '0')}`)
    for (let p = 0; p < 60; p++) {
      const sampleIds = ids.slice(p * 2, p * 2 + 2)
      const values = new Float32Array(2 * SIGNATURE_LENGTH).fill(p + 1)
      await db.signaturePacks.put({ ...job, packId: packKey(sampleIds), sampleIds, values })
    }
    await db.signaturePacks.put({
      connectionId: 'c1',
      jobId: 'other',
      packId: packKey(['x']),
      sampleIds: ['x'],
      values: sig(7)
    })
    const stored = await storedSignatures(db, job, 120)
    expect([...stored.placeOf.keys()].sort()).toEqual(ids)
    expect(new Set(stored.placeOf.values()).size).toBe(120)
    const first = (id: string) =>
      stored.values[(stored.placeOf.get(id) as number) * SIGNATURE_LENGTH]
    expect(first('s000')).toBe(1)
    expect(first('s119')).toBe(60)
    db.close()
  })

  it('reads only the packs added since, and everything again when a row or a pack changed', async () => {
    const db = openTagdeckDb(`stored-signatures-${Math.random()}`)
    const pack = (ids: string[], v: number) => ({
      ...job,
      packId: packKey(ids),
      sampleIds: ids,
      values: new Float32Array(ids.length * SIGNATURE_LENGTH).fill(v)
    })
    const valueOf = (stored: { placeOf: Map<string, number>; values: Float32Array }, id: string) =>
      stored.values[(stored.placeOf.get(id) as number) * SIGNATURE_LENGTH]
    await db.signaturePacks.put(pack(['a', 'b'], 1))
    const first = await storedSignatures(db, job, 2)
    // The first pack rewritten in place (not read again below: only added packs are), one added.
    await db.signaturePacks.put(pack(['a', 'b'], 5))
    await db.signaturePacks.put(pack(['c'], 2))
    const second = await storedSignatures(db, job, 3)
    expect(valueOf(second, 'a')).toBe(1)
    expect(valueOf(second, 'c')).toBe(2)
    expect([...second.placeOf.keys()].sort()).toEqual(['a', 'b', 'c'])
    // The earlier read is left as it was (a grouping may be reading it).
    expect(first.placeOf.has('c')).toBe(false)
    expect(valueOf(first, 'a')).toBe(1)
    // A single row added: everything read again, the rewritten pack too.
    await db.signatures.put({ ...job, sampleId: 'd', signature: sig(3) })
    const third = await storedSignatures(db, job, 4)
    expect(valueOf(third, 'a')).toBe(5)
    expect(valueOf(third, 'd')).toBe(3)
    // A pack gone: read again, without it.
    await db.signaturePacks.delete([job.connectionId, job.jobId, packKey(['c'])])
    const fourth = await storedSignatures(db, job, 3)
    expect([...fourth.placeOf.keys()].sort()).toEqual(['a', 'b', 'd'])
    db.close()
  })
})
