import { Dexie } from 'dexie'
import type { JobKey, SignaturePackRow, SignatureRow, TagdeckDb } from '../store/db'
import { INDEX_TABLES, SIGNATURE_LENGTH, signatureKeys } from './near-duplicates'
import { jobKeyOf } from './held'
import { jobSignatures } from '../signatures/packs'

/**
 * A job's stored near-duplicate signatures, as the grouping reads them: laid end to end in one
 * array, with each sample's place in it. Reading 100,000 from IndexedDB takes about a second, so
 * what was read is kept per job and read again only when the number stored changes: a deletion,
 * which makes a new version of the replica, groups again without reading them again. Where only
 * packs were added since (a download's chunks, the queue's batches), only those are read; a
 * pack or single row gone or a single row added reads them all again. Their bucket keys are
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

/** What was read, and what from: the single rows counted and the packs read, by id. */
interface Read extends StoredSignatures {
  rows: number
  packIds: Set<string>
  /** Places taken in `values`. */
  used: number
}

/** Rows read per transaction: all at once would be one task on the page growing with the job. */
const READ_CHUNK = 5_000

const kept = new WeakMap<TagdeckDb, Map<string, { count: number; read: Promise<Read> }>>()

/**
 * The job's signatures, `count` of them stored now (`jobSignatures(..).count()`; read again
 * unless that many were read).
 */
export function storedSignatures(
  db: TagdeckDb,
  job: JobKey,
  count: number
): Promise<StoredSignatures> {
  const jobs = kept.get(db) ?? new Map<string, { count: number; read: Promise<Read> }>()
  kept.set(db, jobs)
  const key = jobKeyOf(job)
  const known = jobs.get(key)
  if (known && known.count === count) return known.read
  const read: Promise<Read> = (
    known
      ? known.read.then(
          (before) => readMore(db, job, count, before),
          () => readSignatures(db, job, count)
        )
      : readSignatures(db, job, count)
  ).catch((error: unknown) => {
    // A failed read is not kept: the next ask reads again.
    if (jobs.get(key)?.read === read) jobs.delete(key)
    throw error
  })
  jobs.set(key, { count, read })
  return read
}

/** Packs read per transaction (a download's chunk of 200 signatures each). */
const PACK_CHUNK = 25

/**
 * What `before` read, with the packs stored since read (into copies: a grouping may be reading
 * `before`), or everything read again when anything else changed.
 */
async function readMore(db: TagdeckDb, job: JobKey, count: number, before: Read): Promise<Read> {
  const { rows, packIds } = await jobSignatures(db, job).kept()
  const now = new Set(packIds)
  const gone = [...before.packIds].some((id) => !now.has(id))
  if (rows !== before.rows || gone) return readSignatures(db, job, count)
  const added = [...now].filter((id) => !before.packIds.has(id))
  const read = new Reader(count, before)
  for (let i = 0; i < added.length; i += PACK_CHUNK) {
    const keys = added
      .slice(i, i + PACK_CHUNK)
      .map((id): [string, string, string] => [job.connectionId, job.jobId, id])
    for (const pack of await db.signaturePacks.bulkGet(keys)) if (pack) read.pack(pack)
  }
  return read.done(rows)
}

/**
 * The job's single rows, `READ_CHUNK` to a transaction, then its packs (a download's chunk a
 * row, `signatures/packs.ts`), `PACK_CHUNK` to a transaction, in key order; where both hold a
 * sample, the pack wins (as `jobSignatures` reads them).
 */
async function readSignatures(db: TagdeckDb, job: JobKey, count: number): Promise<Read> {
  const read = new Reader(count, null)
  const between = (after: string | null) =>
    [
      [job.connectionId, job.jobId, after ?? Dexie.minKey],
      [job.connectionId, job.jobId, Dexie.maxKey],
      after === null,
      true
    ] as const
  let rows = 0
  await inChunks(
    (after) =>
      db.signatures
        .where('[connectionId+jobId+sampleId]')
        .between(...between(after))
        .limit(READ_CHUNK)
        .toArray(),
    READ_CHUNK,
    (row: SignatureRow) => row.sampleId,
    (row) => {
      rows += 1
      read.put(row.sampleId, row.signature)
    }
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
    (pack) => read.pack(pack)
  )
  return read.done(rows)
}

/** Signatures laid end to end as they are read, with their places and bucket keys. */
class Reader {
  private readonly placeOf: Map<string, number>
  private values: Float32Array
  private keys: Uint32Array
  private used: number
  private readonly packIds: Set<string>

  constructor(
    private readonly count: number,
    before: Read | null
  ) {
    this.placeOf = new Map(before?.placeOf)
    this.packIds = new Set(before?.packIds)
    this.used = before?.used ?? 0
    this.values = new Float32Array(Math.max(count, this.used) * SIGNATURE_LENGTH)
    this.keys = new Uint32Array(Math.max(count, this.used) * INDEX_TABLES)
    if (before) {
      this.values.set(before.values.subarray(0, this.used * SIGNATURE_LENGTH))
      this.keys.set(before.keys.subarray(0, this.used * INDEX_TABLES))
    }
  }

  put(sampleId: string, signature: Float32Array | null): void {
    if (signature === null) return void this.placeOf.set(sampleId, -1)
    const known = this.placeOf.get(sampleId)
    const at = known !== undefined && known >= 0 ? known : this.used++
    // More than counted (stored meanwhile): make room.
    if ((at + 1) * SIGNATURE_LENGTH > this.values.length) {
      const places = Math.max((this.values.length / SIGNATURE_LENGTH) * 2, at + 1)
      const values = new Float32Array(places * SIGNATURE_LENGTH)
      values.set(this.values)
      this.values = values
      const keys = new Uint32Array(places * INDEX_TABLES)
      keys.set(this.keys)
      this.keys = keys
    }
    this.values.set(signature, at * SIGNATURE_LENGTH)
    signatureKeys(this.values, at, 1, this.keys)
    this.placeOf.set(sampleId, at)
  }

  pack(pack: SignaturePackRow): void {
    this.packIds.add(pack.packId)
    pack.sampleIds.forEach((sampleId, i) => {
      const signature = pack.values.subarray(i * SIGNATURE_LENGTH, (i + 1) * SIGNATURE_LENGTH)
      // A flat image's are all zero (a signature never is).
      this.put(sampleId, signature.some((v) => v !== 0) ? signature : null)
    })
  }

  done(rows: number): Read {
    const { count, placeOf, values, keys, used, packIds } = this
    return { count, placeOf, values, keys, rows, packIds, used }
  }
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
