import { describe, expect, it } from 'vitest'
import {
  areaAverage,
  INDEX_TABLES,
  NEAR_DUPLICATE_DISTANCE,
  nearDuplicateGroups,
  signatureDistance,
  signatureKeys,
  signatureOf,
  SIGNATURE_LENGTH
} from './near-duplicates'
import { seededRandom as generator } from '../../../../shared/random'
import { groupSignatures } from './findings'

/** A 4x4 RGBA image of random colours. */
const image = (next: () => number) =>
  Array.from({ length: 64 }, (_, i) => (i % 4 === 3 ? 255 : Math.round(next() * 255)))

/** A copy: every value moved by up to `noise` (recompression, a slight crop). */
const copyOf = (rgba: number[], next: () => number, noise: number) =>
  rgba.map((v, i) =>
    i % 4 === 3 ? v : Math.max(0, Math.min(255, Math.round(v + (next() * 2 - 1) * noise)))
  )

const sig = (rgba: number[]) => {
  const s = signatureOf(rgba)
  if (!s) throw new Error('flat image')
  return s
}

describe('the colour signature', () => {
  it('ignores brightness and contrast, not colour', () => {
    const next = generator(1)
    const rgba = image(next)
    const brighter = rgba.map((v, i) => (i % 4 === 3 ? v : Math.round(v * 0.5 + 60)))
    expect(signatureDistance(sig(rgba), sig(brighter))).toBeLessThan(0.02)
    const other = image(next)
    expect(signatureDistance(sig(rgba), sig(other))).toBeGreaterThan(0.5)
    expect(sig(rgba)).toHaveLength(SIGNATURE_LENGTH)
  })

  it('has none for a flat image, and refuses pixels that are not 4x4 RGBA', () => {
    expect(signatureOf(new Array(64).fill(128))).toBeNull()
    expect(() => signatureOf(new Array(48).fill(1))).toThrow(/64 values/)
  })
})

describe('the 4x4 shrink', () => {
  it('averages every pixel of each cell, whatever the size, RGB or RGBA', () => {
    // 8x6 RGB: each pixel's red is its cell's number, green its column, blue 7.
    const w = 8
    const h = 6
    const rgb: number[] = []
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) rgb.push(Math.floor((y * 4) / h) * 4 + Math.floor(x / 2), x, 7)
    const out = areaAverage(rgb, w, h, 3)
    expect(out).toHaveLength(64)
    for (let cell = 0; cell < 16; cell++) {
      const column = cell % 4
      expect(out.slice(cell * 4, cell * 4 + 4)).toEqual([cell, column * 2 + 0.5, 7, 255])
    }
    const rgba = rgb.flatMap((v, i) => (i % 3 === 2 ? [v, 255] : [v]))
    expect(areaAverage(rgba, w, h)).toEqual(out)
  })
})

describe('near-duplicate groups', () => {
  it('finds exactly the planted copies among unrelated images', () => {
    const next = generator(7)
    const signatures: Float32Array[] = []
    const planted: number[][] = []
    for (let k = 0; k < 400; k++) {
      const original = image(next)
      signatures.push(sig(original))
      if (k % 20 === 0) {
        const group = [signatures.length - 1]
        for (let c = 0; c < 1 + (k % 3); c++) {
          group.push(signatures.length)
          signatures.push(sig(copyOf(original, next, 6)))
        }
        planted.push(group)
      }
    }
    expect(nearDuplicateGroups(signatures)).toEqual(planted)
    // Laid end to end, as they are sent to the findings worker: the same groups.
    const flat = new Float32Array(signatures.length * SIGNATURE_LENGTH)
    signatures.forEach((v, i) => flat.set(v, i * SIGNATURE_LENGTH))
    const { members, starts } = groupSignatures(flat)
    const sent = planted.map((_, g) => [...members.subarray(starts[g], starts[g + 1])])
    expect(sent).toEqual(planted)
    expect(starts.length).toBe(planted.length + 1)
    // With their keys worked out beforehand (as the stored signatures' are): the same groups.
    const keys = new Uint32Array(signatures.length * INDEX_TABLES)
    signatureKeys(flat, 0, 5, keys)
    signatureKeys(flat, 5, signatures.length - 5, keys)
    const given = groupSignatures(flat, keys)
    expect([...given.members]).toEqual([...members])
    expect([...given.starts]).toEqual([...starts])
    // And the keys given are the ones used: keys sharing no bucket make no pair to check.
    const apart = keys.map((_, i) => i)
    expect(groupSignatures(flat, apart).starts).toEqual(new Int32Array([0]))
  })

  it('joins only near-duplicates, and finds nearly every pair under the threshold', () => {
    const next = generator(11)
    const signatures: Float32Array[] = []
    for (let k = 0; k < 150; k++) {
      const base = image(next)
      // Copies at every distance from well inside to well outside the threshold.
      for (let c = 0; c < 5; c++) signatures.push(sig(copyOf(base, next, 4 + c * 8)))
    }
    const close = (i: number, j: number) =>
      signatureDistance(signatures[i] as Float32Array, signatures[j] as Float32Array) <
      NEAR_DUPLICATE_DISTANCE
    const groups = nearDuplicateGroups(signatures)
    const groupOf = new Map<number, number>()
    groups.forEach((g, n) => g.forEach((i) => groupOf.set(i, n)))
    // Precision: every group is connected by pairs truly under the threshold.
    for (const group of groups) {
      const reached = new Set([group[0]])
      for (let grew = true; grew;) {
        grew = false
        for (const i of group)
          if (!reached.has(i) && [...reached].some((j) => close(i, j ?? 0))) {
            reached.add(i)
            grew = true
          }
      }
      expect(reached.size).toBe(group.length)
    }
    // Recall: pairs under the threshold end up in one group (at least 95%; all the clear ones).
    let pairs = 0
    let joined = 0
    for (let i = 0; i < signatures.length; i++)
      for (let j = i + 1; j < signatures.length; j++) {
        if (!close(i, j)) continue
        pairs++
        const together = groupOf.has(i) && groupOf.get(i) === groupOf.get(j)
        if (together) joined++
        const d = signatureDistance(signatures[i] as Float32Array, signatures[j] as Float32Array)
        if (d < NEAR_DUPLICATE_DISTANCE / 2) expect(together, `pair ${i}-${j} at ${d}`).toBe(true)
      }
    expect(pairs).toBeGreaterThan(100)
    expect(joined / pairs).toBeGreaterThanOrEqual(0.95)
  })

  it('joins near-duplicates of near-duplicates into one group, and has none for no images', () => {
    const next = generator(3)
    const a = image(next)
    // b is close to a and c close to b; a and c need not be.
    const b = copyOf(a, next, 14)
    const c = copyOf(b, next, 14)
    const far = image(next)
    const signatures = [a, far, b, c].map(sig)
    expect(nearDuplicateGroups(signatures)).toEqual([[0, 2, 3]])
    expect(nearDuplicateGroups([])).toEqual([])
  })
})
