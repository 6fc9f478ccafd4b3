import { Dexie } from 'dexie'
import { endToEnd, SIGNATURE_LENGTH } from '../../../../shared/thumb-signature'
import type { JobKey, SignaturePackRow, SignatureRow, TagdeckDb } from '../store/db'
import { logFailure } from '../log'

/**
 * A job's near-duplicate signatures, wherever they are stored: a download's chunk a row
 * (`signaturePacks`, written with the chunk), and one a row (`signatures`: those the queue
 * filled in later, and those stored before packs). Read together; where both hold a sample,
 * the later kind (a pack) wins.
 */

/** A pack's key: its size first, so a count reads keys only. */
export function packKey(sampleIds: readonly string[]): string {
  return `${sampleIds.length}:${sampleIds[0] ?? ''}`
}

const packSize = (packId: string) => Number.parseInt(packId, 10) || 0

/**
 * The row for a chunk's signatures as main sends them (`images.prefetch`: the ids, and 48
 * float32 values each as base64); null, logged, when the two do not match.
 */
export function packFromMain(
  job: JobKey,
  packed: { sampleIds: string[]; values: string }
): SignaturePackRow | null {
  const binary = atob(packed.values)
  if (binary.length !== packed.sampleIds.length * SIGNATURE_LENGTH * 4) {
    logFailure('near-duplicate signatures from main were not stored')(
      new Error(`${binary.length} bytes for ${packed.sampleIds.length} signatures`)
    )
    return null
  }
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return packRow(job, packed.sampleIds, new Float32Array(bytes.buffer))
}

const packRow = (job: JobKey, sampleIds: string[], values: Float32Array): SignaturePackRow => ({
  connectionId: job.connectionId,
  jobId: job.jobId,
  packId: packKey(sampleIds),
  sampleIds,
  values
})

/**
 * One row for these signatures (a flat image's, null, stored all zero), as a download's chunk is
 * stored: what the queue fills in goes in a row per batch too (IndexedDB's cost is per row).
 */
export function packOf(
  job: JobKey,
  signatures: readonly { sampleId: string; signature: Float32Array | null }[]
): SignaturePackRow {
  return packRow(
    job,
    signatures.map((s) => s.sampleId),
    endToEnd(signatures)
  )
}

/** A pack's signatures, one row each. */
function unpack(pack: SignaturePackRow): SignatureRow[] {
  return pack.sampleIds.map((sampleId, i) => {
    const signature = pack.values.slice(i * SIGNATURE_LENGTH, (i + 1) * SIGNATURE_LENGTH)
    return {
      connectionId: pack.connectionId,
      jobId: pack.jobId,
      sampleId,
      signature: signature.some((v) => v !== 0) ? signature : null
    }
  })
}

const range = (job: JobKey) =>
  [
    [job.connectionId, job.jobId, Dexie.minKey],
    [job.connectionId, job.jobId, Dexie.maxKey]
  ] as const

/** A job's signatures in both tables: counted, read, or deleted (in the caller's transaction, if any). */
export function jobSignatures(db: TagdeckDb, job: JobKey) {
  const [from, to] = range(job)
  const rows = () => db.signatures.where('[connectionId+jobId+sampleId]').between(from, to)
  const packs = () => db.signaturePacks.where('[connectionId+jobId+packId]').between(from, to)
  /** How many single rows, and which packs (keys only), in one transaction. */
  const kept = async (): Promise<{ rows: number; packIds: string[] }> => {
    const [single, keys] = await db.transaction('r', db.signatures, db.signaturePacks, () =>
      Promise.all([rows().count(), packs().primaryKeys()])
    )
    return { rows: single, packIds: keys.map((key) => key[2]) }
  }
  return {
    /** Signatures stored (a sample stored twice counts twice: a memo key, not a tally). */
    async count(): Promise<number> {
      const { rows: single, packIds } = await kept()
      return single + packIds.reduce((n, id) => n + packSize(id), 0)
    },
    kept,
    async toArray(): Promise<SignatureRow[]> {
      const [single, packed] = await Promise.all([rows().toArray(), packs().toArray()])
      return [...single, ...packed.flatMap(unpack)]
    },
    async delete(): Promise<void> {
      await db.transaction('rw', db.signatures, db.signaturePacks, async () => {
        await rows().delete()
        await packs().delete()
      })
    }
  }
}
