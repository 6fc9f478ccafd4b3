import { signatureOf } from '../src/renderer/src/offline/replica/near-duplicates'
import { seededRandom } from '../src/shared/random'

/**
 * Near-duplicate signatures drawn like the demo's thumbnails, for the benches (Node and the
 * Chromium harnesses alike): two pastel colours across the frame, one to three saturated shapes,
 * each a cell or two of the 4x4 signature, with 1% of the images copied (every value moved a
 * little, as recompression and a slight crop do). Harsher than the demo: many of its images are
 * near-duplicates of each other by chance, which makes big groups and big buckets.
 */

function demoLike(next: () => number): number[] {
  const pastel = () => [0, 1, 2].map(() => 170 + Math.round(next() * 80))
  const [from, to] = [pastel(), pastel()]
  const rgba: number[] = []
  for (let y = 0; y < 4; y++)
    for (let x = 0; x < 4; x++) {
      const t = (x + y) / 6
      for (let c = 0; c < 3; c++) rgba.push(Math.round((from[c] ?? 0) * (1 - t) + (to[c] ?? 0) * t))
      rgba.push(255)
    }
  const shapes = 1 + Math.floor(next() * 3)
  for (let k = 0; k < shapes; k++) {
    const cell = Math.floor(next() * 16)
    const colour = [0, 1, 2].map(() => Math.round(next() * 255))
    // A shape covers part of its cell: the cell's colour moves part of the way to the shape's.
    const cover = 0.3 + next() * 0.6
    for (let c = 0; c < 3; c++)
      rgba[cell * 4 + c] = Math.round(
        (rgba[cell * 4 + c] ?? 0) * (1 - cover) + (colour[c] ?? 0) * cover
      )
  }
  return rgba
}

/** `size` signatures; `planted`: "i-j" for each copy j of image i. */
export function demoSignatures(
  size: number,
  seed = 42
): { signatures: Float32Array[]; planted: Set<string> } {
  const next = seededRandom(seed)
  const signatures: Float32Array[] = []
  const planted = new Set<string>()
  while (signatures.length < size) {
    const rgba = demoLike(next)
    const original = signatureOf(rgba)
    if (!original) continue
    signatures.push(original)
    if (next() < 0.01 && signatures.length < size) {
      const copy = signatureOf(
        rgba.map((v, i) => (i % 4 === 3 ? v : v + Math.round((next() * 2 - 1) * 3)))
      )
      if (copy) {
        planted.add(`${signatures.length - 1}-${signatures.length}`)
        signatures.push(copy)
      }
    }
  }
  return { signatures, planted }
}
