import type { Transport } from '../deps'
import type { JobKey } from '../store/db'

/**
 * Signatures of thumbnails main's cache already holds (`images.signatures`): those cached
 * before signatures came with the download's chunks, or left out of a chunk's answer. Main
 * reads them from its cache and works them out as it does for a chunk (`src/main/images/
 * thumb-signatures.ts`); a thumbnail it could not read is an answer with its reason, not a
 * rejection of the batch.
 */
export type ThumbHasher = (job: JobKey, sampleIds: readonly string[]) => Promise<ThumbAnswer[]>

export type ThumbAnswer =
  { sampleId: string; signature: Float32Array | null } | { sampleId: string; error: string }

/** The app's hasher: main, over IPC. */
export function mainHasher(call: Transport): ThumbHasher {
  return async (job, sampleIds) => {
    const answers = await call('images.signatures', { ...job, sampleIds: [...sampleIds] })
    return answers.map((a) =>
      'error' in a
        ? a
        : { sampleId: a.sampleId, signature: a.signature ? Float32Array.from(a.signature) : null }
    )
  }
}
