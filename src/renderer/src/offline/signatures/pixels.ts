import { signatureOf } from '../replica/near-duplicates'

/**
 * A thumbnail's near-duplicate signature from its bytes, in whichever thread runs it (the
 * signature worker): decoded and shrunk to 4x4 by `createImageBitmap` ('high': every source
 * pixel weighs in, as the signature's measurements on the demo assumed), read back through a
 * 4x4 OffscreenCanvas. Null for a flat image.
 */
export async function thumbSignature(blob: Blob): Promise<Float32Array | null> {
  const bitmap = await createImageBitmap(blob, {
    resizeWidth: 4,
    resizeHeight: 4,
    resizeQuality: 'high'
  })
  try {
    const canvas = new OffscreenCanvas(4, 4)
    const context = canvas.getContext('2d')
    if (!context) throw new Error('No 2D context for a thumbnail signature')
    context.drawImage(bitmap, 0, 0)
    return signatureOf(context.getImageData(0, 0, 4, 4).data)
  } finally {
    bitmap.close()
  }
}
