import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { areaAverage, signatureOf, SIGNATURE_LENGTH } from '../../shared/thumb-signature'
import { jpegCellMeans } from './jpeg-cells'
import { thumbSignature } from './thumb-signatures'

// Real images made by sharp (libjpeg-turbo / mozjpeg, libpng), each read the way main reads a
// cached thumbnail, against the exact cell average of the whole decoded image.

/** A pastel gradient with a darker box and a disc, `width` x `height`, as raw RGB. */
function picture(width: number, height: number, seed = 1): Buffer {
  const data = Buffer.alloc(width * height * 3)
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 3
      const inBox = x > width * 0.2 && x < width * 0.45 && y > height * 0.3 && y < height * 0.7
      const dx = x - width * (0.6 + 0.05 * seed)
      const dy = y - height * 0.4
      const inDisc = dx * dx + dy * dy < (Math.min(width, height) * 0.15) ** 2
      data[at] = inBox ? 90 : inDisc ? 230 : 180 + Math.round((60 * x) / width)
      data[at + 1] = inBox ? 70 : inDisc ? 120 : 200 - Math.round((50 * y) / height)
      data[at + 2] = inBox ? 160 : inDisc ? 60 : 170 + Math.round((40 * (x + y)) / (width + height))
    }
  return data
}

type JpegOptions = Parameters<ReturnType<typeof sharp>['jpeg']>[0]

const raw = (width: number, height: number, seed = 1) =>
  sharp(picture(width, height, seed), { raw: { width, height, channels: 3 } })

/** The signature of the whole decoded image, every pixel counted (orientation applied). */
async function exact(bytes: Buffer): Promise<Float32Array | null> {
  const { data, info } = await sharp(bytes, { autoOrient: true })
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true })
  return signatureOf(areaAverage(data, info.width, info.height, 3))
}

function distance(a: Float32Array | null, b: Float32Array | null): number {
  if (!a || !b) throw new Error('a flat signature')
  let sum = 0
  for (let i = 0; i < SIGNATURE_LENGTH; i++) sum += ((a[i] ?? 0) - (b[i] ?? 0)) ** 2
  return Math.sqrt(sum / SIGNATURE_LENGTH)
}

describe('a thumbnail signature from a baseline JPEG read by its DC coefficients', () => {
  const cases: [string, number, number, JpegOptions][] = [
    ['4:2:0, 267x200 (the demo service thumbnails)', 267, 200, {}],
    ['4:2:0, 150x200, quality 40', 150, 200, { quality: 40 }],
    ['4:4:4, 320x240', 320, 240, { chromaSubsampling: '4:4:4' }],
    ['4:2:0, odd size 203x133', 203, 133, {}],
    ['4:4:4, 64x64', 64, 64, { chromaSubsampling: '4:4:4' }],
    [
      'trellis quantisation, no optimised Huffman tables',
      267,
      200,
      { trellisQuantisation: true, optimiseCoding: false }
    ]
  ]
  for (const [name, width, height, options] of cases)
    it(`is within 0.1 of the exact cell average: ${name}`, async () => {
      const bytes = await raw(width, height).jpeg(options).toBuffer()
      expect(jpegCellMeans(bytes)).not.toBeNull()
      expect(distance(await thumbSignature(bytes), await exact(bytes))).toBeLessThan(0.1)
    })

  it('reads a greyscale JPEG (one component) as grey', async () => {
    const bytes = await raw(200, 150).greyscale().jpeg().toBuffer()
    const cells = jpegCellMeans(bytes)
    expect(cells).not.toBeNull()
    for (let i = 0; i < 16; i++) {
      expect(cells?.[i * 4]).toBe(cells?.[i * 4 + 1])
      expect(cells?.[i * 4]).toBe(cells?.[i * 4 + 2])
    }
    expect(distance(await thumbSignature(bytes), await exact(bytes))).toBeLessThan(0.1)
  })

  it('tells two different pictures apart and a recompressed copy from neither', async () => {
    const a = await raw(267, 200, 1).jpeg({ quality: 80 }).toBuffer()
    const copy = await sharp(a).resize(187, 140).jpeg({ quality: 40 }).toBuffer()
    const b = await raw(267, 200, 5).jpeg({ quality: 80 }).toBuffer()
    const [sa, sc, sb] = await Promise.all([a, copy, b].map((x) => thumbSignature(x)))
    expect(distance(sa ?? null, sc ?? null)).toBeLessThan(0.25)
    expect(distance(sa ?? null, sb ?? null)).toBeGreaterThan(0.25)
  })

  it('answers null for a flat grey image', async () => {
    const bytes = await sharp({
      create: { width: 200, height: 150, channels: 3, background: { r: 150, g: 150, b: 150 } }
    })
      .jpeg()
      .toBuffer()
    expect(await thumbSignature(bytes)).toBeNull()
  })
})

describe('a thumbnail signature from what is not read by DC coefficients (decoded by sharp)', () => {
  it('a small JPEG (cells of fewer than two blocks)', async () => {
    const bytes = await raw(100, 75).jpeg().toBuffer()
    expect(jpegCellMeans(bytes)).toBeNull()
    expect(distance(await thumbSignature(bytes), await exact(bytes))).toBeLessThan(0.1)
  })

  it('a progressive JPEG', async () => {
    const bytes = await raw(267, 200).jpeg({ progressive: true }).toBuffer()
    expect(jpegCellMeans(bytes)).toBeNull()
    expect(distance(await thumbSignature(bytes), await exact(bytes))).toBeLessThan(0.1)
  })

  it('a PNG', async () => {
    const bytes = await raw(120, 90).png().toBuffer()
    expect(jpegCellMeans(bytes)).toBeNull()
    expect(distance(await thumbSignature(bytes), await exact(bytes))).toBeLessThan(0.1)
  })

  it('a JPEG turned by its EXIF orientation: turned, as a browser shows it', async () => {
    const bytes = await raw(267, 200).jpeg().withMetadata({ orientation: 6 }).toBuffer()
    expect(jpegCellMeans(bytes)).toBeNull()
    const upright = await raw(267, 200).jpeg().toBuffer()
    const signature = await thumbSignature(bytes)
    expect(distance(signature, await exact(bytes))).toBeLessThan(0.1)
    // Turned a quarter: not the signature of the image as stored.
    expect(distance(signature, await thumbSignature(upright))).toBeGreaterThan(0.25)
  })

  it('a JPEG whose EXIF says upright is still read by its DC coefficients', async () => {
    const bytes = await raw(267, 200).jpeg().withMetadata({ orientation: 1 }).toBuffer()
    expect(jpegCellMeans(bytes)).not.toBeNull()
  })

  it('a truncated JPEG is read as far as it goes, or decoded; bytes that are no image reject', async () => {
    const whole = await raw(267, 200).jpeg().toBuffer()
    const cut = whole.subarray(0, Math.floor(whole.length * 0.6))
    expect(() => jpegCellMeans(cut)).not.toThrow()
    await expect(thumbSignature(Buffer.from('not an image at all'))).rejects.toThrow()
  })
})
