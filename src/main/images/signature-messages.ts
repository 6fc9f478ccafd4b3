/** What main and its signature thread send each other (`signature-thread.ts`, `signature-worker.ts`). */

/** Thumbnails laid end to end in `bytes`: the i-th ends at `ends[i]`. */
export type SignatureRequest = { ids: number[]; ends: Uint32Array; bytes: Uint8Array }

/** Each thumbnail's outcome, in the request's order. */
export const ReadKind = {
  Signed: 0,
  /** A flat image: no signature. */
  Flat: 1,
  /** Not a baseline JPEG: decode it some other way. */
  Unread: 2,
  Failed: 3
} as const

export type SignatureReply = {
  ids: number[]
  kinds: Uint8Array
  /** `SIGNATURE_LENGTH` values for each thumbnail, in order (zeros where not signed). */
  values: Float32Array
  /** Why each failed one failed, by id. */
  failures: Record<number, string>
  /** Something main should log, once (the thread's priority could not be lowered). */
  notice?: string
}
