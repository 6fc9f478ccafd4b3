import { seededRandom } from '../../../../shared/random'

/**
 * Near-duplicate images: a small colour signature of each thumbnail, and groups of images whose
 * signatures are close. The signature is the image shrunk to 4x4 RGB (48 values), less their
 * mean and divided by their spread, so a brighter or recompressed copy keeps it; two images are
 * near-duplicates when the root-mean-square difference of their signatures is under a threshold.
 * On the demo's thumbnails copies cropped by up to 3%, resized or recompressed measured 0.12
 * (median) to 0.25 (p95), the closest of two million distinct pairs 0.255 (docs/performance.md).
 *
 * Grouping hashes the signatures into buckets (random hyperplanes, several tables), checks the
 * pairs that share a bucket exactly, and joins those under the threshold into groups: it never
 * joins two images that are not near-duplicates (through a chain of them), and may miss a pair
 * very near the threshold. A vantage-point tree (exact) pruned little in 48 dimensions: 10,000
 * took 3.2 s, growing with the square of the count. Pure and synchronous. The signatures are
 * made from the thumbnails as they are cached (`signatures/`), grouped per job held whole
 * (`near-duplicate-groups.ts`).
 */

/** Signatures are made where the thumbnails are cached (main); the arithmetic is shared. */
export { SIGNATURE_LENGTH, areaAverage, signatureOf } from '../../../../shared/thumb-signature'
import { SIGNATURE_LENGTH } from '../../../../shared/thumb-signature'

/** Signatures closer than this are of near-duplicate images. */
export const NEAR_DUPLICATE_DISTANCE = 0.25

/** Root-mean-square difference of two signatures (a metric). */
export function signatureDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0
  for (let i = 0; i < SIGNATURE_LENGTH; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    sum += d * d
  }
  return Math.sqrt(sum / SIGNATURE_LENGTH)
}

/**
 * The index: `TABLES` hash tables, each keyed by which side of `BITS` random hyperplanes a
 * signature lies on, each hyperplane a sparse random projection over `TOUCH` coordinates. A
 * copy (a few degrees away) shares a key with its original in at least one table nearly always;
 * unrelated images rarely share one. Chosen on the bench (100,000 demo-like signatures): 12
 * tables of 16 bits over 12 coordinates 2.9 s; 12 of 20 over 8, 1.8 s; 10 of 22 over 8, 1.4 s,
 * 1,013 of 1,014 planted copies found.
 */
const TABLES = 10
const BITS = 22
const TOUCH = 8

/** Fixed, seeded hyperplanes: the same buckets on every run. */
function hyperplanes(): { at: Int32Array; sign: Float32Array } {
  const next = seededRandom(0x5eed)
  const n = TABLES * BITS * TOUCH
  const at = new Int32Array(n)
  const sign = new Float32Array(n)
  for (let i = 0; i < n; i++) {
    at[i] = Math.floor(next() * SIGNATURE_LENGTH)
    sign[i] = next() < 0.5 ? -1 : 1
  }
  return { at, sign }
}

const HYPERPLANES = hyperplanes()

/**
 * Groups of near-duplicates among `signatures` (by index), each of two or more, in the order of
 * their first member; an image is in at most one group (near-duplicates of near-duplicates join).
 */
export function nearDuplicateGroups(
  signatures: readonly Float32Array[],
  threshold = NEAR_DUPLICATE_DISTANCE
): number[][] {
  const n = signatures.length
  const parent = Int32Array.from({ length: n }, (_, i) => i)
  const find = (i: number): number => {
    let root = i
    while (parent[root] !== root) root = parent[root] ?? root
    while (parent[i] !== root) {
      const next = parent[i] ?? root
      parent[i] = root
      i = next
    }
    return root
  }
  const join = (a: number, b: number) => {
    const ra = find(a)
    const rb = find(b)
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb)
  }
  const distance = (a: number, b: number) =>
    signatureDistance(signatures[a] as Float32Array, signatures[b] as Float32Array)

  const { at, sign } = HYPERPLANES
  for (let t = 0; t < TABLES; t++) {
    const buckets = new Map<number, number[]>()
    for (let i = 0; i < n; i++) {
      const v = signatures[i] as Float32Array
      let key = 0
      for (let b = 0; b < BITS; b++) {
        let dot = 0
        const base = (t * BITS + b) * TOUCH
        for (let k = 0; k < TOUCH; k++) dot += (v[at[base + k] ?? 0] ?? 0) * (sign[base + k] ?? 0)
        key = key * 2 + (dot > 0 ? 1 : 0)
      }
      const bucket = buckets.get(key)
      if (bucket) bucket.push(i)
      else buckets.set(key, [i])
    }
    for (const bucket of buckets.values())
      for (let x = 0; x < bucket.length; x++)
        for (let y = x + 1; y < bucket.length; y++) {
          const i = bucket[x] ?? 0
          const j = bucket[y] ?? 0
          if (find(i) !== find(j) && distance(i, j) < threshold) join(i, j)
        }
  }

  const groups = new Map<number, number[]>()
  for (let i = 0; i < n; i++) {
    const r = find(i)
    const group = groups.get(r)
    if (group) group.push(i)
    else groups.set(r, [i])
  }
  return [...groups.values()].filter((g) => g.length > 1)
}
