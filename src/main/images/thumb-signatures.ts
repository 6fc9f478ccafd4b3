import pLimit from 'p-limit'
import sharp from 'sharp'
import { areaAverage, endToEnd, signatureOf } from '../../shared/thumb-signature'
import { SignatureThread } from './signature-thread'

/**
 * A thumbnail's near-duplicate signature (`shared/thumb-signature.ts`), worked out in main from
 * the bytes it has just cached, so the renderer neither fetches the thumbnail again nor
 * decodes it. A baseline JPEG (what image services send as thumbnails) is read from its DC
 * coefficients (`jpeg-cells.ts`: ~0.07 ms for a demo thumbnail) on the signature thread
 * (`signature-thread.ts`), off main's event loop; anything else
 * is decoded by sharp to 32x32 (libvips' threads, EXIF orientation applied) and averaged
 * into cells, one at a time, so a job of PNGs cannot fill main's thread pool: 1.5-1.8 ms each
 * there, nearly all of it sharp's set-up per image. Null for a flat image; rejects for bytes
 * that are no image.
 */

/** The side of the decode for images not read from their DC coefficients. */
const DECODED = 32
/** Fallback decodes at once (sharp's own thread pool does the work). */
const decodes = pLimit(1)
/** Main's one signature thread, started at the first thumbnail. */
const thread = new SignatureThread()

/** Sends the thumbnails asked for so far to the signature thread now: the caller waits for them. */
export const flushSignatures = (): void => thread.flush()
/**
 * The caller waits for every signature asked for so far: main reads those the thread has not
 * started on (at idle priority it may be getting no CPU).
 */
export const hurrySignatures = (): void => thread.hurry()

export async function thumbSignature(bytes: Uint8Array): Promise<Float32Array | null> {
  const read = await thread.read(bytes)
  if (read !== 'unread') return read
  return decodes(() => decodedSignature(bytes))
}

/** The signature from a full decode (through sharp, to 32x32): anything not read from its DC. */
export async function decodedSignature(bytes: Uint8Array): Promise<Float32Array | null> {
  const { data, info } = await sharp(bytes, { failOn: 'none', autoOrient: true })
    .resize(DECODED, DECODED, { fit: 'fill', fastShrinkOnLoad: false })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  return signatureOf(areaAverage(data, info.width, info.height, info.channels))
}

/**
 * A chunk's signatures as they cross IPC: the ids, and every signature's 48 float32 values one
 * after another, as base64 (a flat image's all zero, which no signature is). One string, not
 * 9,600 JSON numbers: formatting, checking and parsing those cost main and the page more than
 * the signatures themselves. Main and the page share one machine, so one byte order.
 */
export function packedSignatures(
  signatures: readonly { sampleId: string; signature: Float32Array | null }[]
): { sampleIds: string[]; values: string } {
  const values = endToEnd(signatures)
  return {
    sampleIds: signatures.map((s) => s.sampleId),
    values: Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64')
  }
}

/** A signature as it crosses IPC alone (`images.signatures`): its float32 values as numbers. */
export function wireSignature(signature: Float32Array | null): number[] | null {
  return signature ? Array.from(signature) : null
}
