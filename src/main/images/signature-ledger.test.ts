import { describe, expect, it } from 'vitest'
import { SIGNATURE_LENGTH } from '../../shared/thumb-signature'
import { SignatureLedger } from './signature-ledger'

const job = { connectionId: 'c1', jobId: 'j1' }
const other = { connectionId: 'c1', jobId: 'j2' }

/** A signature being worked out, finished (or failed) when the test says. */
function working() {
  let done!: (s: Float32Array | null) => void
  let fail!: (e: Error) => void
  const work = new Promise<Float32Array | null>((resolve, reject) => {
    done = resolve
    fail = reject
  })
  return { work, done, fail }
}

const signature = (v: number) => new Float32Array(SIGNATURE_LENGTH).fill(v)

/** The packed answer's signatures, by id (a flat image's all zero). */
function unpack(packed: { sampleIds: string[]; values: string }): Map<string, number> {
  const bytes = Buffer.from(packed.values, 'base64')
  const values = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4)
  expect(values.length).toBe(packed.sampleIds.length * SIGNATURE_LENGTH)
  return new Map(packed.sampleIds.map((id, i) => [id, values[i * SIGNATURE_LENGTH] as number]))
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('SignatureLedger', () => {
  it('answers what is done without waiting; the late ones come with a later take of the job', async () => {
    const ledger = new SignatureLedger()
    const [a, b, c] = [working(), working(), working()]
    ledger.add(job, 'a', a.work)
    ledger.add(job, 'b', b.work)
    ledger.add(other, 'c', c.work)
    a.done(signature(0.5))
    c.done(signature(0.25))
    await settle()

    expect(unpack(ledger.take(job))).toEqual(new Map([['a', 0.5]]))
    // b is still being worked out: the next chunk's answer carries it.
    b.done(null)
    await settle()
    expect(unpack(ledger.take(job))).toEqual(new Map([['b', 0]]))
    expect(unpack(ledger.take(job))).toEqual(new Map())
    // Another job's are its own.
    expect(unpack(ledger.take(other))).toEqual(new Map([['c', 0.25]]))
    expect(ledger.size).toBe(0)
  })

  it('collects the last ones once every one is worked out, a failure left out, at most `max` an answer', async () => {
    const ledger = new SignatureLedger()
    const works = ['a', 'b', 'c', 'd'].map((id) => ({ id, ...working() }))
    for (const w of works) ledger.add(job, w.id, w.work)
    let collected: Awaited<ReturnType<SignatureLedger['collect']>> | null = null
    const collecting = ledger.collect(job, 2).then((c) => (collected = c))
    works[0]?.done(signature(1))
    works[1]?.fail(new Error('not a JPEG'))
    works[2]?.done(signature(3))
    await settle()
    expect(collected).toBeNull()
    works[3]?.done(signature(4))
    await collecting

    const first = collected as unknown as Awaited<ReturnType<SignatureLedger['collect']>>
    expect(unpack(first.signatures)).toEqual(
      new Map([
        ['a', 1],
        ['c', 3]
      ])
    )
    expect(first.more).toBe(true)
    const rest = await ledger.collect(job, 2)
    expect(unpack(rest.signatures)).toEqual(new Map([['d', 4]]))
    expect(rest.more).toBe(false)
    expect(ledger.size).toBe(0)
  })

  it("drops the oldest job's signatures past its bound (they are read again from the cache later)", async () => {
    const ledger = new SignatureLedger(3)
    for (const [ref, id] of [
      [other, 'x'],
      [other, 'y'],
      [job, 'a'],
      [job, 'b']
    ] as const)
      ledger.add(ref, id, Promise.resolve(signature(1)))
    await settle()
    expect(ledger.size).toBe(2)
    expect(unpack(ledger.take(other))).toEqual(new Map())
    expect([...unpack(ledger.take(job)).keys()]).toEqual(['a', 'b'])
  })
})
