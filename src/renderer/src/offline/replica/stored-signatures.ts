import { Dexie } from 'dexie'
import type { JobKey, SignatureRow, TagdeckDb } from '../store/db'
import { SIGNATURE_LENGTH } from './near-duplicates'

/**
 * A job's stored near-duplicate signatures, as the grouping reads them: laid end to end in one
 * array, with each sample's place in it. Reading 100,000 rows from IndexedDB takes seconds, so
 * what was read is kept per job and read again only when the number stored changes (rows are
 * only added as thumbnails are hashed, or removed with the job): a deletion, which makes a new
 * version of the replica, groups again without reading them again.
 */
export interface StoredSignatures {
  /** Signatures stored when read. */
  count: number
  /** Sample id -> its signature's place in `values`; -1: a flat image, which has none. */
  placeOf: Map<string, number>
  values: Float32Array
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
  const key = `${job.connectionId}\u0000${job.jobId}`
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

/** The job's rows, `READ_CHUNK` to a transaction, in key order. */
async function readSignatures(
  db: TagdeckDb,
  job: JobKey,
  count: number
): Promise<StoredSignatures> {
  const placeOf = new Map<string, number>()
  let values = new Float32Array(count * SIGNATURE_LENGTH)
  let next = 0
  let after: string | null = null
  for (;;) {
    const rows: SignatureRow[] = await db.signatures
      .where('[connectionId+jobId+sampleId]')
      .between(
        [job.connectionId, job.jobId, after ?? Dexie.minKey],
        [job.connectionId, job.jobId, Dexie.maxKey],
        after === null,
        true
      )
      .limit(READ_CHUNK)
      .toArray()
    for (const row of rows) {
      if (row.signature === null) {
        placeOf.set(row.sampleId, -1)
        continue
      }
      // More rows than counted (stored meanwhile): make room.
      if ((next + 1) * SIGNATURE_LENGTH > values.length) {
        const larger = new Float32Array(Math.max(values.length * 2, (next + 1) * SIGNATURE_LENGTH))
        larger.set(values)
        values = larger
      }
      values.set(row.signature, next * SIGNATURE_LENGTH)
      placeOf.set(row.sampleId, next++)
    }
    if (rows.length < READ_CHUNK) break
    after = (rows[rows.length - 1] as SignatureRow).sampleId
  }
  return { count, placeOf, values }
}
