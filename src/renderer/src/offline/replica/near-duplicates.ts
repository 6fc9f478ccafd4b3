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

/** Signatures a call of `signatureKeys` takes when a grouping works their keys out. */
const KEY_BLOCK = 512

/** One signature's values while its keys are worked out. */
const SCRATCH = new Float64Array(SIGNATURE_LENGTH)

/** Bucket keys a signature has: one per table. */
export const INDEX_TABLES = TABLES

/**
 * The bucket keys (`INDEX_TABLES` each) of `count` signatures of `values` from the `first`th,
 * written to `keys` from `first * INDEX_TABLES`: signature by signature, its values read once for
 * every table. The costliest part of a grouping (about 60% of it at 100,000 signatures), so a
 * caller reading signatures in bits works these out as they come (`stored-signatures.ts`).
 */
export function signatureKeys(
  values: Float32Array,
  first: number,
  count: number,
  keys: Uint32Array
): void {
  const L = SIGNATURE_LENGTH
  const { at, sign } = HYPERPLANES
  const v = SCRATCH
  for (let i = first; i < first + count; i++) {
    const o = i * L
    for (let c = 0; c < L; c++) v[c] = values[o + c] as number
    for (let t = 0, base = 0; t < TABLES; t++) {
      let key = 0
      for (let b = 0; b < BITS; b++, base += TOUCH) {
        let dot = 0
        for (let k = 0; k < TOUCH; k++)
          dot += (v[at[base + k] as number] as number) * (sign[base + k] as number)
        key = (key << 1) | (dot > 0 ? 1 : 0)
      }
      keys[i * TABLES + t] = key
    }
  }
}

/**
 * Groups of near-duplicates among `signatures` (by index), each of two or more, in the order of
 * their first member; an image is in at most one group (near-duplicates of near-duplicates join).
 */
export function nearDuplicateGroups(
  signatures: readonly Float32Array[],
  threshold = NEAR_DUPLICATE_DISTANCE
): number[][] {
  const values = new Float32Array(signatures.length * SIGNATURE_LENGTH)
  signatures.forEach((v, i) => values.set(v, i * SIGNATURE_LENGTH))
  return nearDuplicateGroupsOf(values, threshold)
}

/**
 * The same over signatures laid end to end in one array (what the findings worker gets). Each
 * table's keys are sorted (two counting passes of 11 bits) rather than put in a map of arrays,
 * and a pair's distance stops adding once past the threshold: on the bench's 100,000, about
 * half the CPU time of a map per table and whole distances, with the very same groups.
 * `keysOf`: the signatures' bucket keys (`signatureKeys`), where the caller has them already.
 */
export function nearDuplicateGroupsOf(
  values: Float32Array,
  threshold = NEAR_DUPLICATE_DISTANCE,
  keysOf?: Uint32Array
): number[][] {
  const L = SIGNATURE_LENGTH
  const n = Math.floor(values.length / L)
  const parent = new Int32Array(n)
  for (let i = 0; i < n; i++) parent[i] = i
  const find = (i: number): number => {
    let root = i
    while (parent[root] !== root) root = parent[root] as number
    while (parent[i] !== root) {
      const next = parent[i] as number
      parent[i] = root
      i = next
    }
    return root
  }
  // Squared sums past this are not near (a margin over the exact test, which decides the rest).
  const limit = threshold * threshold * L * (1 + 1e-6)
  const near = (i: number, j: number) => {
    const oi = i * L
    const oj = j * L
    let sum = 0
    for (let c = 0; c < L && sum <= limit; c++) {
      const d = (values[oi + c] as number) - (values[oj + c] as number)
      sum += d * d
    }
    if (sum > limit) return false
    return signatureDistance(values.subarray(oi, oi + L), values.subarray(oj, oj + L)) < threshold
  }

  // Keys worked out already, or now (the costliest part).
  let all = keysOf
  if (!all || all.length < n * TABLES) {
    all = new Uint32Array(n * TABLES)
    // In blocks: a function called often is optimised sooner than one long loop is (measured
    // 0.6 s against 0.3 s for 100,000 in a fresh worker).
    for (let i = 0; i < n; i += KEY_BLOCK) signatureKeys(values, i, Math.min(KEY_BLOCK, n - i), all)
  }
  const keys = new Uint32Array(n)
  const order = new Int32Array(n)
  const sorted = new Int32Array(n)
  const counts = new Int32Array(1 << 11)
  for (let t = 0; t < TABLES; t++) {
    for (let i = 0; i < n; i++) {
      keys[i] = all[i * TABLES + t] as number
      order[i] = i
    }
    // Images by key, in index order within a key (a stable sort, 11 bits a pass).
    for (let shift = 0; shift < BITS; shift += 11) {
      counts.fill(0)
      for (let i = 0; i < n; i++) {
        const c = ((keys[order[i] as number] as number) >>> shift) & 2047
        counts[c] = (counts[c] as number) + 1
      }
      for (let c = 0, sum = 0; c < counts.length; c++) {
        const here = counts[c] as number
        counts[c] = sum
        sum += here
      }
      for (let i = 0; i < n; i++) {
        const j = order[i] as number
        const c = ((keys[j] as number) >>> shift) & 2047
        sorted[counts[c] as number] = j
        counts[c] = (counts[c] as number) + 1
      }
      order.set(sorted)
    }
    // The pairs that share a bucket.
    for (let start = 0; start < n;) {
      const key = keys[order[start] as number]
      let end = start + 1
      while (end < n && keys[order[end] as number] === key) end++
      for (let x = start; x < end; x++)
        for (let y = x + 1; y < end; y++) {
          const i = order[x] as number
          const j = order[y] as number
          const ri = find(i)
          const rj = find(j)
          if (ri !== rj && near(i, j)) parent[Math.max(ri, rj)] = Math.min(ri, rj)
        }
      start = end
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
