import { CELLS as SHARED_CELLS } from '../../shared/thumb-signature'

/**
 * A local copy: under tsx (the browser shell) each read of an imported binding is a getter
 * call, and the loops below read it often enough to cost 3 s per 10,000 thumbnails.
 */
const CELLS: number = SHARED_CELLS

/**
 * The mean colour of each cell of a 4x4 grid over a baseline JPEG, read from its DC
 * coefficients alone: a block's DC coefficient is the mean of its 64 pixels, so the entropy
 * data is decoded (it must be, to find where each block starts) but nothing is transformed,
 * upsampled or converted per pixel. Each block counts towards a cell by the area they share,
 * and the colour conversion (linear) is done once per cell. On the demo's thumbnails (about
 * 2.5 KB, 150x200 to 267x200) this is about 0.07 ms, where a decode through sharp costs
 * 1.5-1.8 ms, nearly all of it the pipeline's own set-up. Answers null for what it does not
 * read (progressive or arithmetic-coded JPEGs, restart intervals, 12-bit samples, CMYK, an EXIF
 * orientation, images too small for blocks to stand for cells, anything damaged): the caller
 * decodes those whole.
 */

interface Component {
  id: number
  h: number
  v: number
  /** Its quantisation table's DC step. */
  dcStep: number
  /** Blocks across and down in its own plane (what holds image pixels). */
  blocksX: number
  blocksY: number
  /** Sum of each block's DC coefficient (dequantised), row by row. */
  dc: Float64Array
  dcTable: Huffman | null
  acTable: Huffman | null
  predictor: number
}

/** A Huffman table as a lookup: the symbol and code length of every 16-bit window. */
interface Huffman {
  /** A DC table's: for a 9-bit prefix, code length << 8 | symbol, or 0 when the code is longer. */
  fast: Uint16Array
  /** An AC table's: the same with the bits that follow the symbol counted in the length. */
  fastSkip: Uint16Array
  /** Canonical decoding for longer codes (JPEG's `maxcode` / `valptr`). */
  maxCode: Int32Array
  valPtr: Int32Array
  minCode: Int32Array
  symbols: Uint8Array
}

const FAST_BITS = 9
const FAST_MASK = (1 << FAST_BITS) - 1

/**
 * The tables, DC then AC, by id (0-3): built again in place for each image (reading one is
 * synchronous), so a thumbnail allocates none.
 */
const TABLES: Huffman[] = Array.from({ length: 8 }, () => ({
  fast: new Uint16Array(1 << FAST_BITS),
  fastSkip: new Uint16Array(1 << FAST_BITS),
  maxCode: new Int32Array(18),
  valPtr: new Int32Array(17),
  minCode: new Int32Array(17),
  symbols: new Uint8Array(0)
}))

/**
 * Builds a table in place: for a DC table the symbol of each 9-bit prefix (`fast`), for an AC
 * table the symbol with its following bits counted in the length (`fastSkip`: the values are
 * not needed), each only what the scan reads; both keep the canonical decoding.
 */
function huffman(counts: Uint8Array, symbols: Uint8Array, table: Huffman, ac: boolean): Huffman {
  const { maxCode, valPtr, minCode } = table
  const lookup = ac ? table.fastSkip : table.fast
  lookup.fill(0)
  maxCode.fill(-1)
  table.symbols = symbols
  let code = 0
  let k = 0
  for (let length = 1; length <= 16; length++) {
    const n = counts[length - 1] ?? 0
    valPtr[length] = k
    minCode[length] = code
    for (let i = 0; i < n; i++, k++, code++) {
      if (length <= FAST_BITS) {
        const shift = FAST_BITS - length
        const first = code << shift
        const symbol = symbols[k] ?? 0
        const entry = ((ac ? length + (symbol & 15) : length) << 8) | symbol
        lookup.fill(entry, first, first + (1 << shift))
      }
    }
    maxCode[length] = n > 0 ? code - 1 : -1
    code <<= 1
  }
  maxCode[17] = 0x7fffffff
  return table
}

class Unreadable extends Error {}

/** Each component's DC coefficients, reused from image to image (grown as needed). */
const DC_PLANES: Float64Array[] = []

/** Component `i`'s plane of `size` blocks, zeroed. */
function dcPlane(i: number, size: number): Float64Array {
  let plane = DC_PLANES[i]
  if (!plane || plane.length < size) DC_PLANES[i] = plane = new Float64Array(size)
  const dc = plane.subarray(0, size)
  dc.fill(0)
  return dc
}

/**
 * The entropy-coded byte at `at`, and how far past it the next one is: `byte | step << 8`. The
 * 0xFF00 stuffing is undone; a marker (or the end) stops the data: zero, and no step, so zeros
 * follow (a damaged or short scan reads as flat) and `at` stays on the marker.
 */
function entropyByte(b: Uint8Array, at: number): number {
  if (at >= b.length) return 0
  const byte = b[at] as number
  if (byte !== 0xff) return byte | (1 << 8)
  return b[at + 1] === 0 ? 0xff | (2 << 8) : 0
}

/**
 * The longer codes (more than `FAST_BITS`), canonically: `window` is the next 16 bits. Answers
 * the code's length << 8 | its symbol.
 */
function slowCode(table: Huffman, window: number): number {
  for (let length = FAST_BITS + 1; length <= 16; length++) {
    const code = window >>> (16 - length)
    if (code <= (table.maxCode[length] ?? -1))
      return (
        (length << 8) |
        (table.symbols[(table.valPtr[length] ?? 0) + code - (table.minCode[length] ?? 0)] ?? 0)
      )
  }
  throw new Unreadable('bad Huffman code')
}

const u16 = (b: Uint8Array, at: number) => ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0)

/** The 4x4 cells' mean RGB (RGBA, row by row, alpha 255), or null when not read (see above). */
export function jpegCellMeans(bytes: Uint8Array): number[] | null {
  try {
    return read(bytes)
  } catch (error) {
    if (error instanceof Unreadable || error instanceof RangeError) return null
    throw error
  }
}

function read(b: Uint8Array): number[] | null {
  if (b[0] !== 0xff || b[1] !== 0xd8) return null
  const quant: number[] = []
  const dcTables: Huffman[] = []
  const acTables: Huffman[] = []
  let components: Component[] = []
  let width = 0
  let height = 0
  let hMax = 1
  let vMax = 1
  let adobeTransform = -1
  let at = 2
  let scanned = false
  while (at + 4 <= b.length) {
    if (b[at] !== 0xff) throw new Unreadable('no marker where one belongs')
    const marker = b[at + 1] ?? 0
    if (marker === 0xff) {
      at++
      continue
    }
    if (marker === 0xd9) break
    const length = u16(b, at + 2)
    const body = at + 4
    const end = at + 2 + length
    if (end > b.length) throw new Unreadable('a segment runs past the end')
    switch (marker) {
      case 0xdb: {
        for (let p = body; p < end;) {
          const precision = (b[p] ?? 0) >> 4
          const id = (b[p] ?? 0) & 15
          quant[id] = precision ? u16(b, p + 1) : (b[p + 1] ?? 0)
          p += 1 + 64 * (precision ? 2 : 1)
        }
        break
      }
      case 0xc4: {
        for (let p = body; p < end;) {
          const kind = (b[p] ?? 0) >> 4
          const id = (b[p] ?? 0) & 15
          const counts = b.subarray(p + 1, p + 17)
          const n = counts.reduce((s, x) => s + x, 0)
          const slot = id < 4 ? TABLES[(kind === 0 ? 0 : 4) + id] : undefined
          if (!slot) throw new Unreadable('a Huffman table id past 3')
          const table = huffman(counts, b.subarray(p + 17, p + 17 + n), slot, kind !== 0)
          if (kind === 0) dcTables[id] = table
          else acTables[id] = table
          p += 17 + n
        }
        break
      }
      case 0xc0:
      case 0xc1: {
        if (b[body] !== 8) return null
        height = u16(b, body + 1)
        width = u16(b, body + 3)
        const n = b[body + 5] ?? 0
        if (width === 0 || height === 0 || (n !== 1 && n !== 3)) return null
        components = []
        for (let i = 0; i < n; i++) {
          const p = body + 6 + i * 3
          const sampling = b[p + 1] ?? 0
          components.push({
            id: b[p] ?? 0,
            h: sampling >> 4 || 1,
            v: sampling & 15 || 1,
            dcStep: quant[b[p + 2] ?? 0] ?? NaN,
            blocksX: 0,
            blocksY: 0,
            dc: new Float64Array(0),
            dcTable: null,
            acTable: null,
            predictor: 0
          })
        }
        if (components.some((c) => Number.isNaN(c.dcStep))) return null
        hMax = Math.max(...components.map((c) => c.h))
        vMax = Math.max(...components.map((c) => c.v))
        // Each cell must span a few of the coarsest blocks (16 pixels at 4:2:0), or the blocks
        // it shares with its neighbours weigh too much: small images are decoded whole.
        if (Math.min(width, height) < CELLS * 2 * 8 * Math.max(hMax, vMax)) return null
        components.forEach((c, i) => {
          c.blocksX = Math.ceil(Math.ceil((width * c.h) / hMax) / 8)
          c.blocksY = Math.ceil(Math.ceil((height * c.v) / vMax) / 8)
          c.dc = dcPlane(i, c.blocksX * c.blocksY)
        })
        break
      }
      case 0xdd:
        // Restart intervals: rare in thumbnails, decoded whole instead.
        if (u16(b, body) > 0) return null
        break
      case 0xee:
        // Adobe: a transform of 0 means the three channels are RGB, not YCbCr.
        if (length >= 12 && String.fromCharCode(...b.subarray(body, body + 5)) === 'Adobe')
          adobeTransform = b[body + 11] ?? -1
        break
      case 0xe1:
        // EXIF may turn the image; the page's decoder would honour it: decoded whole instead.
        if (
          String.fromCharCode(...b.subarray(body, body + 4)) === 'Exif' &&
          turned(b, body + 6, end)
        )
          return null
        break
      case 0xda: {
        if (components.length === 0) throw new Unreadable('a scan before the frame')
        const mcusX = Math.ceil(width / (8 * hMax))
        const mcusY = Math.ceil(height / (8 * vMax))
        at = scan(b, body, end, components, dcTables, acTables, mcusX * mcusY, mcusX)
        scanned = true
        continue
      }
      default:
        // Progressive, lossless, arithmetic-coded, hierarchical: not read here.
        if (marker >= 0xc2 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8) return null
    }
    at = end
  }
  if (!scanned) return null
  if (components.length === 3 && adobeTransform === 0)
    return cells(components, width, height, hMax, vMax, false)
  return cells(components, width, height, hMax, vMax, components.length === 3)
}

/** Reads one scan's blocks; answers where the data after it starts. */
function scan(
  b: Uint8Array,
  body: number,
  end: number,
  all: Component[],
  dcTables: Huffman[],
  acTables: Huffman[],
  interleavedMcus: number,
  interleavedX: number
): number {
  const n = b[body] ?? 0
  const inScan: Component[] = []
  for (let i = 0; i < n; i++) {
    const id = b[body + 1 + i * 2] ?? 0
    const tables = b[body + 2 + i * 2] ?? 0
    const c = all.find((x) => x.id === id)
    if (!c) throw new Unreadable('a scan names an unknown component')
    c.dcTable = dcTables[tables >> 4] ?? null
    c.acTable = acTables[tables & 15] ?? null
    c.predictor = 0
    inScan.push(c)
  }
  const ss = b[body + 1 + n * 2] ?? 0
  const se = b[body + 2 + n * 2] ?? 0
  if (ss !== 0 || se !== 63) throw new Unreadable('not a sequential scan')
  const first = inScan[0]
  if (!first) throw new Unreadable('an empty scan')
  // One component alone is coded block by block over its own plane; several, MCU by MCU: each
  // MCU's blocks, in order, are `slots` (the component, and the block's place in the MCU).
  const single = inScan.length === 1
  const slots = single
    ? [{ c: first, h: 0, v: 0 }]
    : inScan.flatMap((c) =>
        Array.from({ length: c.v * c.h }, (_, i) => ({ c, h: i % c.h, v: Math.floor(i / c.h) }))
      )
  for (const { c } of slots)
    if (!c.dcTable || !c.acTable) throw new Unreadable('a Huffman table is missing')
  const mcusX = single ? first.blocksX : interleavedX
  const mcus = single ? first.blocksX * first.blocksY : interleavedMcus
  // The entropy-coded data, read into a 32-bit window (`count` bits in it are unread) a byte
  // at a time (`entropyByte`). Kept in locals, not an object: this loop is most of a
  // thumbnail's time.
  let at = end
  let buffer = 0
  let count = 0
  for (let m = 0; m < mcus; m++) {
    const mx = m % mcusX
    const my = (m - mx) / mcusX
    for (let s = 0; s < slots.length; s++) {
      const slot = slots[s] as (typeof slots)[number]
      const c = slot.c
      const dcTable = c.dcTable as Huffman
      const acSkip = (c.acTable as Huffman).fastSkip
      let into = m
      if (!single) {
        const bx = mx * c.h + slot.h
        const by = my * c.v + slot.v
        into = bx < c.blocksX && by < c.blocksY ? by * c.blocksX + bx : -1
      }
      // At least 25 bits in the window after each fill.
      for (; count <= 24; count += 8) {
        const next = entropyByte(b, at)
        at += next >> 8
        buffer = ((buffer << 8) | (next & 0xff)) >>> 0
      }
      let entry = dcTable.fast[(buffer >>> (count - FAST_BITS)) & FAST_MASK] as number
      if (entry === 0) entry = slowCode(dcTable, (buffer >>> (count - 16)) & 0xffff)
      count -= entry >> 8
      const size = entry & 0xff
      if (size > 11) throw new Unreadable('bad DC size')
      if (size > 0) {
        if (count < size)
          for (; count <= 24; count += 8) {
            const next = entropyByte(b, at)
            at += next >> 8
            buffer = ((buffer << 8) | (next & 0xff)) >>> 0
          }
        const value = (buffer >>> (count - size)) & ((1 << size) - 1)
        count -= size
        c.predictor += value < 1 << (size - 1) ? value - (1 << size) + 1 : value
      }
      if (into >= 0) c.dc[into] = c.predictor * c.dcStep
      // The AC coefficients' values are not needed: each symbol and its bits are skipped at once.
      for (let k = 1; k < 64;) {
        for (; count <= 24; count += 8) {
          const next = entropyByte(b, at)
          at += next >> 8
          buffer = ((buffer << 8) | (next & 0xff)) >>> 0
        }
        let rs: number
        const skip = acSkip[(buffer >>> (count - FAST_BITS)) & FAST_MASK] as number
        if (skip !== 0) {
          count -= skip >> 8
          rs = skip & 0xff
        } else {
          const code = slowCode(c.acTable as Huffman, (buffer >>> (count - 16)) & 0xffff)
          count -= code >> 8
          rs = code & 0xff
          const extra = rs & 15
          if (count < extra)
            for (; count <= 24; count += 8) {
              const next = entropyByte(b, at)
              at += next >> 8
              buffer = ((buffer << 8) | (next & 0xff)) >>> 0
            }
          count -= extra
        }
        if ((rs & 15) === 0) {
          if (rs >> 4 !== 15) break
          k += 16
        } else k += (rs >> 4) + 1
      }
    }
  }
  // The scan ends at the next marker (past any padding).
  while (
    at + 1 < b.length &&
    !(b[at] === 0xff && b[at + 1] !== 0 && !((b[at + 1] ?? 0) >= 0xd0 && (b[at + 1] ?? 0) <= 0xd7))
  )
    at++
  return at
}

/** Whether an EXIF block (TIFF header at `tiff`) says the image is turned (orientation not 1). */
function turned(b: Uint8Array, tiff: number, end: number): boolean {
  const little = b[tiff] === 0x49
  const r16 = (p: number) => (little ? (b[p] ?? 0) | ((b[p + 1] ?? 0) << 8) : u16(b, p))
  const r32 = (p: number) =>
    little ? r16(p) + r16(p + 2) * 65536 : u16(b, p) * 65536 + u16(b, p + 2)
  const ifd = tiff + r32(tiff + 4)
  if (ifd + 2 > end) return false
  const entries = r16(ifd)
  for (let i = 0; i < entries; i++) {
    const p = ifd + 2 + i * 12
    if (p + 12 > end) return false
    if (r16(p) === 0x0112) return r16(p + 8) !== 1
  }
  return false
}

type Shares = { first: Int32Array; inFirst: Float64Array; inNext: Float64Array }

/** `shares` of the sizes met so far: a service's thumbnails are mostly of a few sizes. */
const SHARES = new Map<number, Shares>()

/**
 * Along one axis, for each block: the first cell it overlaps and how many of its pixels fall in
 * that cell and in the next (a block is narrower than a cell, so it overlaps at most two).
 */
function shares(blocks: number, step: number, extent: number): Shares {
  // Blocks and extent are under 2^16, the step (pixels a block spans) 8 to 32.
  const key = (extent * 64 + step) * 65536 + blocks
  const known = SHARES.get(key)
  if (known) return known
  if (SHARES.size >= 256) SHARES.clear()
  const first = new Int32Array(blocks)
  const inFirst = new Float64Array(blocks)
  const inNext = new Float64Array(blocks)
  const cell = extent / CELLS
  for (let i = 0; i < blocks; i++) {
    const lo = i * step
    const hi = Math.min(extent, lo + step)
    const c = Math.min(CELLS - 1, Math.floor(lo / cell))
    const edge = (c + 1) * cell
    first[i] = c
    inFirst[i] = Math.max(0, Math.min(hi, edge) - lo)
    inNext[i] = c + 1 < CELLS ? Math.max(0, hi - edge) : 0
  }
  const made = { first, inFirst, inNext }
  SHARES.set(key, made)
  return made
}

/** Each component's cell sums, then means (reused: reading one image is synchronous). */
const SUMS = [0, 1, 2].map(() => new Float64Array(CELLS * CELLS))
/** One row of blocks' sums per cell across (and one past the last, which gets nothing). */
const ROW = new Float64Array(CELLS + 1)

/** Component `c`'s mean per cell into `sums`, weighting every block by the area it shares with the cell. */
function cellMeans(
  c: Component,
  width: number,
  height: number,
  hMax: number,
  vMax: number,
  sums: Float64Array
): void {
  // A block of this component covers this many image pixels across and down.
  const xs = shares(c.blocksX, (8 * hMax) / c.h, width)
  const ys = shares(c.blocksY, (8 * vMax) / c.v, height)
  const row = ROW
  sums.fill(0)
  // Typed arrays indexed within their bounds, read as numbers (this runs for every block).
  const { dc, blocksX, blocksY } = c
  const { first: xFirst, inFirst: xIn, inNext: xNext } = xs
  const { first: yFirst, inFirst: yIn, inNext: yNext } = ys
  for (let by = 0; by < blocksY; by++) {
    row.fill(0)
    for (let bx = 0, at = by * blocksX; bx < blocksX; bx++, at++) {
      const mean = (dc[at] as number) / 8 + 128
      const cx = xFirst[bx] as number
      row[cx] = (row[cx] as number) + (xIn[bx] as number) * mean
      row[cx + 1] = (row[cx + 1] as number) + (xNext[bx] as number) * mean
    }
    const cy = yFirst[by] as number
    const h0 = yIn[by] as number
    const h1 = yNext[by] as number
    for (let cx = 0; cx < CELLS; cx++) {
      const r = row[cx] as number
      sums[cy * CELLS + cx] = (sums[cy * CELLS + cx] as number) + h0 * r
      if (h1 > 0) sums[(cy + 1) * CELLS + cx] = (sums[(cy + 1) * CELLS + cx] as number) + h1 * r
    }
  }
  const cellArea = (width / CELLS) * (height / CELLS)
  for (let i = 0; i < CELLS * CELLS; i++) sums[i] = (sums[i] as number) / cellArea
}

/** Each cell's mean colour: RGBA, row by row, alpha 255. */
function cells(
  components: Component[],
  width: number,
  height: number,
  hMax: number,
  vMax: number,
  ycc: boolean
): number[] {
  const n = components.length
  for (let i = 0; i < n; i++)
    cellMeans(components[i] as Component, width, height, hMax, vMax, SUMS[i] as Float64Array)
  const [y, cb, cr] = SUMS as [Float64Array, Float64Array, Float64Array]
  const out: number[] = new Array<number>(CELLS * CELLS * 4)
  const clamp = (x: number) => Math.min(255, Math.max(0, x))
  for (let i = 0, o = 0; i < CELLS * CELLS; i++, o += 4) {
    const luma = y[i] as number
    if (n === 1) {
      out[o] = out[o + 1] = out[o + 2] = clamp(luma)
    } else if (!ycc) {
      out[o] = clamp(luma)
      out[o + 1] = clamp(cb[i] as number)
      out[o + 2] = clamp(cr[i] as number)
    } else {
      const b = (cb[i] as number) - 128
      const r = (cr[i] as number) - 128
      out[o] = clamp(luma + 1.402 * r)
      out[o + 1] = clamp(luma - 0.344136 * b - 0.714136 * r)
      out[o + 2] = clamp(luma + 1.772 * b)
    }
    out[o + 3] = 255
  }
  return out
}
