import { areaAverage, signatureOf } from '../replica/near-duplicates'

/**
 * A thumbnail's near-duplicate signature from its bytes, in whichever thread runs it (the
 * signature worker): decoded at its own size by `createImageBitmap`, read back through an
 * OffscreenCanvas and shrunk to 4x4 by averaging each cell's pixels (`areaAverage`; letting
 * `createImageBitmap` resize to 4x4 gives a resampler's answer, which another program's
 * resampler does not repeat). Null for a flat image.
 */
export async function thumbSignature(blob: Blob): Promise<Float32Array | null> {
  const bitmap = await createImageBitmap(blob)
  try {
    const { width, height } = bitmap
    const canvas = new OffscreenCanvas(width, height)
    const context = canvas.getContext('2d', { willReadFrequently: true })
    if (!context) throw new Error('No 2D context for a thumbnail signature')
    context.drawImage(bitmap, 0, 0)
    return signatureOf(areaAverage(context.getImageData(0, 0, width, height).data, width, height))
  } finally {
    bitmap.close()
  }
}
