import { Dexie } from 'dexie'
import type { JobKey, SignaturePackRow, SignatureRow, TagdeckDb } from '../store/db'
import { INDEX_TABLES, SIGNATURE_LENGTH, signatureKeys } from './near-duplicates'
import { jobKeyOf } from './held'

/**
 * A job's stored near-duplicate signatures, as the grouping reads them: laid end to end in one
 * array, with each sample's place in it. Reading 100,000 rows from IndexedDB takes seconds, so
 * what was read is kept per job and read again only when the number stored changes (rows are
 * only added as thumbnails are hashed, or removed with the job): a deletion, which makes a new
 * version of the replica, groups again without reading them again. Their bucket keys are
 * worked out as they are read (between reads, while IndexedDB answers), so a grouping has only
 * the buckets left to do.
 */
export interface StoredSignatures {
  /** Signatures stored when read. */
  count: number
  /** Sample id -> its signature's place in `values`; -1: a flat image, which has none. */
  placeOf: Map<string, number>
  values: Float32Array
  /** Each signature's bucket keys, `INDEX_TABLES` from its place times that (`signatureKeys`). */
  keys: Uint32Array
}

/** Rows read per transaction: all at once would be one task on the page growing with the job. */
const READ_CHUNK = 5_000

const kept = new WeakMap<
  TagdeckDb,
  Map<string, { count: number; read: Promise<StoredSignatures> }>
>()

/** The job's signatures, `count` of them stored now (read again unless that many were read). */
export function storedSignatures(
  db: TagdeckDb,
  job: JobKey,
  count: number
): Promise<StoredSignatures> {
  const jobs = kept.get(db) ?? new Map<string, { count: number; read: Promise<StoredSignatures> }>()
  kept.set(db, jobs)
  const key = jobKeyOf(job)
  const known = jobs.get(key)
  if (known && known.count === count) return known.read
  // A failed read is not kept: the next ask reads again.
  const read: Promise<StoredSignatures> = readSignatures(db, job, count).catch((error: unknown) => {
    if (jobs.get(key)?.read === read) jobs.delete(key)
    throw error
  })
  jobs.set(key, { count, read })
  return read
}

/** Packs read per transaction (a download's chunk of 200 signatures each). */
const PACK_CHUNK = 25

/**
 * The job's single rows, `READ_CHUNK` to a transaction, then its packs (a download's chunk a
 * row, `signatures/packs.ts`), `PACK_CHUNK` to a transaction, in key order; where both hold a
 * sample, the pack wins (as `jobSignatures` reads them).
 */
async function readSignatures(
  db: TagdeckDb,
  job: JobKey,
  count: number
): Promise<StoredSignatures> {
  const placeOf = new Map<string, number>()
  let values = new Float32Array(count * SIGNATURE_LENGTH)
  let keys = new Uint32Array(count * INDEX_TABLES)
  let next = 0
  const put = (sampleId: string, signature: Float32Array | null) => {
    if (signature === null) return void placeOf.set(sampleId, -1)
    const known = placeOf.get(sampleId)
    const at = known !== undefined && known >= 0 ? known : next++
    // More rows than counted (stored meanwhile): make room.
    if ((at + 1) * SIGNATURE_LENGTH > values.length) {
      const larger = new Float32Array(Math.max(values.length * 2, (at + 1) * SIGNATURE_LENGTH))
      larger.set(values)
      values = larger
      const more = new Uint32Array((larger.length / SIGNATURE_LENGTH) * INDEX_TABLES)
      more.set(keys)
      keys = more
    }
    values.set(signature, at * SIGNATURE_LENGTH)
    signatureKeys(values, at, 1, keys)
    placeOf.set(sampleId, at)
  }
  const between = (after: string | null) =>
    [
      [job.connectionId, job.jobId, after ?? Dexie.minKey],
      [job.connectionId, job.jobId, Dexie.maxKey],
      after === null,
      true
    ] as const
  await inChunks(
    (after) =>
      db.signatures
        .where('[connectionId+jobId+sampleId]')
        .between(...between(after))
        .limit(READ_CHUNK)
        .toArray(),
    READ_CHUNK,
    (row: SignatureRow) => row.sampleId,
    (row) => put(row.sampleId, row.signature)
  )
  await inChunks(
    (after) =>
      db.signaturePacks
        .where('[connectionId+jobId+packId]')
        .between(...between(after))
        .limit(PACK_CHUNK)
        .toArray(),
    PACK_CHUNK,
    (pack: SignaturePackRow) => pack.packId,
    (pack) =>
      pack.sampleIds.forEach((sampleId, i) => {
        const signature = pack.values.subarray(i * SIGNATURE_LENGTH, (i + 1) * SIGNATURE_LENGTH)
        // A flat image's are all zero (a signature never is).
        put(sampleId, signature.some((v) => v !== 0) ? signature : null)
      })
  )
  return { count, placeOf, values, keys }
}

/**
 * Every row `read` gives, `chunk` at a time in key order (`read(after)`: the rows after that key),
 * each handed to `each`; the next chunk is asked for before this one is handled, so IndexedDB
 * reads it meanwhile.
 */
async function inChunks<Row>(
  read: (after: string | null) => Promise<Row[]>,
  chunk: number,
  keyOf: (row: Row) => string,
  each: (row: Row) => void
): Promise<void> {
  let next: Promise<Row[]> | null = read(null)
  while (next) {
    const rows: Row[] = await next
    const last = rows[rows.length - 1]
    next = rows.length < chunk || last === undefined ? null : read(keyOf(last))
    rows.forEach(each)
  }
}
