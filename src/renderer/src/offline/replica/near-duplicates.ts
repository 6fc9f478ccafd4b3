/**
 * Near-duplicate images: a small colour signature of each thumbnail, and groups of images whose
 * signatures are close. The signature is the image shrunk to 4x4 RGB (48 values), less their
 * mean and divided by their spread, so a brighter or recompressed copy keeps it; two images are
 * near-duplicates when the root-mean-square difference of their signatures is under a threshold.
 * On the demo's thumbnails copies cropped by up to 3%, resized or recompressed measured 0.12
 * (median) to 0.25 (p95), the closest of two million distinct pairs 0.255 (docs/performance.md).
 *
 * Grouping is a range search in a vantage-point tree (a metric index: each node splits the rest
 * by their distance to one point, and the triangle inequality skips whole halves), then the pairs
 * found are joined into groups. Pure and synchronous; callers slice the work as they need.
 *
 * Not wired into the app yet: on demo-like signatures the tree prunes little in 48 dimensions and
 * the grouping grows with the square of the count (10,000 in 3.2 s, `npm run bench --
 * near-duplicates`), far from 100,000 in 2 s. The index is the part to replace (hashing of random
 * projections, then this exact check); the signature and the grouping's answers stay.
 */

/** Values in a signature: 4x4 pixels, three channels. */
export const SIGNATURE_LENGTH = 48
/** Signatures closer than this are of near-duplicate images. */
export const NEAR_DUPLICATE_DISTANCE = 0.25

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

/** Root-mean-square difference of two signatures (a metric). */
export function signatureDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0
  for (let i = 0; i < SIGNATURE_LENGTH; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    sum += d * d
  }
  return Math.sqrt(sum / SIGNATURE_LENGTH)
}

interface VpNode {
  point: number
  /** Distances to `point` under it go inside, the rest outside. */
  radius: number
  inside: VpNode | null
  outside: VpNode | null
}

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

  const root = build(
    Array.from({ length: n }, (_, i) => i),
    distance
  )
  for (let i = 0; i < n; i++) search(root, i, threshold, distance, (j) => j > i && join(i, j))

  const groups = new Map<number, number[]>()
  for (let i = 0; i < n; i++) {
    const r = find(i)
    const group = groups.get(r)
    if (group) group.push(i)
    else groups.set(r, [i])
  }
  return [...groups.values()].filter((g) => g.length > 1)
}

/** A vantage-point tree over `points`, built without recursion depth trouble (median splits). */
function build(points: number[], distance: (a: number, b: number) => number): VpNode | null {
  if (points.length === 0) return null
  // The first point is as good a vantage point as any for signatures of unrelated images.
  const [point, ...rest] = points as [number, ...number[]]
  if (rest.length === 0) return { point, radius: 0, inside: null, outside: null }
  const far = rest.map((p) => ({ p, d: distance(point, p) })).sort((x, y) => x.d - y.d)
  const middle = far.length >> 1
  const radius = far[middle]?.d ?? 0
  return {
    point,
    radius,
    inside: build(
      far.slice(0, middle).map((x) => x.p),
      distance
    ),
    outside: build(
      far.slice(middle).map((x) => x.p),
      distance
    )
  }
}

/** Calls `found` for every point within `threshold` of `query`. */
function search(
  node: VpNode | null,
  query: number,
  threshold: number,
  distance: (a: number, b: number) => number,
  found: (point: number) => void
): void {
  const stack: VpNode[] = node ? [node] : []
  while (stack.length > 0) {
    const at = stack.pop() as VpNode
    const d = distance(query, at.point)
    if (d < threshold) found(at.point)
    if (at.inside && d - threshold < at.radius) stack.push(at.inside)
    if (at.outside && d + threshold >= at.radius) stack.push(at.outside)
  }
}
