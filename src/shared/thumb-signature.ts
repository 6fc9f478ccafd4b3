/**
 * A thumbnail's near-duplicate signature: the image shrunk to 4x4 RGB (48 values) by averaging
 * every pixel of each cell, less their mean and divided by their spread, so a brighter or
 * recompressed copy keeps it. Main works it out as it caches a thumbnail
 * (`src/main/images/thumb-signatures.ts`); the renderer stores and compares them
 * (`offline/replica/near-duplicates.ts`). Pure arithmetic, the same on both sides.
 */

/** Cells across and down. */
export const CELLS = 4
/** Values in a signature: 4x4 cells, three channels. */
export const SIGNATURE_LENGTH = CELLS * CELLS * 3

/**
 * The signature of an image from its pixels shrunk to 4x4 (RGBA, row by row, as a canvas's
 * `getImageData` gives them); null for a flat image (every value the same), which says nothing.
 */
export function signatureOf(rgba: ArrayLike<number>): Float32Array | null {
  if (rgba.length !== 64) throw new Error(`A 4x4 RGBA image has 64 values, not ${rgba.length}`)
  const out = new Float32Array(SIGNATURE_LENGTH)
  let sum = 0
  for (let p = 0, i = 0; p < 16; p++)
    for (let c = 0; c < 3; c++, i++) {
      out[i] = rgba[p * 4 + c] ?? 0
      sum += out[i] ?? 0
    }
  const mean = sum / SIGNATURE_LENGTH
  let squares = 0
  for (let i = 0; i < SIGNATURE_LENGTH; i++) {
    const d = (out[i] ?? 0) - mean
    out[i] = d
    squares += d * d
  }
  const spread = Math.sqrt(squares / SIGNATURE_LENGTH)
  if (spread < 1e-6) return null
  for (let i = 0; i < SIGNATURE_LENGTH; i++) out[i] = (out[i] ?? 0) / spread
  return out
}

/**
 * An image shrunk to 4x4 by averaging every pixel of each cell (RGBA, row by row, `channels`
 * values a pixel in `pixels`): the one shrink that gives the same answer whatever decoded the
 * image. Resamplers do not: Chromium's 'high' `createImageBitmap` resize and sharp's default
 * were up to 0.35 apart on the demo's thumbnails, more than copies are from their originals.
 */
export function areaAverage(
  pixels: ArrayLike<number>,
  width: number,
  height: number,
  channels = 4
): number[] {
  const sums = new Float64Array(64)
  const counts = new Float64Array(16)
  for (let y = 0; y < height; y++) {
    const row = Math.floor((y * 4) / height) * 4
    for (let x = 0; x < width; x++) {
      const cell = row + Math.floor((x * 4) / width)
      const at = (y * width + x) * channels
      counts[cell] = (counts[cell] ?? 0) + 1
      for (let c = 0; c < 3; c++)
        sums[cell * 4 + c] = (sums[cell * 4 + c] ?? 0) + (pixels[at + c] ?? 0)
    }
  }
  const out: number[] = []
  for (let cell = 0; cell < 16; cell++) {
    const n = counts[cell] || 1
    for (let c = 0; c < 3; c++) out.push((sums[cell * 4 + c] ?? 0) / n)
    out.push(255)
  }
  return out
}

/**
 * Signatures laid end to end, 48 values each, a flat image's (null) all zero (which no signature
 * is): how a chunk's cross from main (`packedSignatures`) and how the page stores a batch
 * (`signatures/packs.ts`).
 */
export function endToEnd(signatures: readonly { signature: Float32Array | null }[]): Float32Array {
  const values = new Float32Array(signatures.length * SIGNATURE_LENGTH)
  signatures.forEach((s, i) => {
    if (s.signature) values.set(s.signature, i * SIGNATURE_LENGTH)
  })
  return values
}
