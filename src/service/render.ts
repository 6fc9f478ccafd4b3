import sharp from 'sharp'
import { z } from 'zod'

/**
 * Demo images are stored as recipes (size, background, shapes) and drawn on first request, so a
 * 100,000-image job is ready in seconds. Every shape is filled (no stroke) and touches all four
 * sides of its box, so a detection box is exactly the drawn shape's bounding box.
 */
export const SHAPES = [
  'circle',
  'square',
  'triangle',
  'diamond',
  'cross',
  'ring',
  'flower'
] as const
export type ShapeKind = (typeof SHAPES)[number]

const Hex = z.string().regex(/^#[0-9a-f]{6}$/)
export const Shape = z.object({
  k: z.enum(SHAPES),
  c: Hex,
  b: z.tuple([z.number(), z.number(), z.number(), z.number()])
})
export type Shape = z.infer<typeof Shape>

/**
 * A near-duplicate of a demo image (demo-copies.ts): the image drawn and saved as the demo saves
 * it, then cut to `crop` ([left, top, width, height]), resized to `width` x `height` and saved
 * again at `quality`.
 */
export const CopyOf = z.object({
  crop: z.tuple([z.number().int(), z.number().int(), z.number().int(), z.number().int()]),
  width: z.number().int().min(1),
  height: z.number().int().min(1),
  quality: z.number().int().min(1).max(100)
})
export type CopyOf = z.infer<typeof CopyOf>

export const Recipe = z.object({
  w: z.number().int().min(16).max(8192),
  h: z.number().int().min(16).max(8192),
  bg: z.tuple([Hex, Hex]),
  /** Faint background marks, never in a label colour and never labelled. */
  marks: z.array(z.tuple([z.number(), z.number(), z.number()])),
  shapes: z.array(Shape),
  /** The image is a changed copy of what the rest draws. */
  copy: CopyOf.optional()
})
export type Recipe = z.infer<typeof Recipe>

const f = (n: number): string => (Math.round(n * 10) / 10).toString()

function shapeSvg({ k, c, b: [x1, y1, x2, y2] }: Shape): string {
  const cx = (x1 + x2) / 2
  const cy = (y1 + y2) / 2
  const w = x2 - x1
  const h = y2 - y1
  switch (k) {
    case 'circle':
      return `<ellipse cx="${f(cx)}" cy="${f(cy)}" rx="${f(w / 2)}" ry="${f(h / 2)}" fill="${c}"/>`
    case 'square':
      return `<rect x="${x1}" y="${y1}" width="${w}" height="${h}" fill="${c}"/>`
    case 'triangle':
      return `<polygon points="${x1},${y2} ${f(cx)},${y1} ${x2},${y2}" fill="${c}"/>`
    case 'diamond':
      return `<polygon points="${f(cx)},${y1} ${x2},${f(cy)} ${f(cx)},${y2} ${x1},${f(cy)}" fill="${c}"/>`
    case 'cross': {
      const [tw, th] = [w / 3, h / 3]
      return (
        `<rect x="${f(x1 + tw)}" y="${y1}" width="${f(tw)}" height="${h}" fill="${c}"/>` +
        `<rect x="${x1}" y="${f(y1 + th)}" width="${w}" height="${f(th)}" fill="${c}"/>`
      )
    }
    case 'ring': {
      const [rx, ry] = [w / 2, h / 2]
      const [ix, iy] = [rx * 0.55, ry * 0.55]
      const ellipse = (ex: number, ey: number) =>
        `M${f(cx - ex)},${f(cy)}a${f(ex)},${f(ey)} 0 1,0 ${f(2 * ex)},0a${f(ex)},${f(ey)} 0 1,0 ${f(-2 * ex)},0Z`
      return `<path fill-rule="evenodd" d="${ellipse(rx, ry)}${ellipse(ix, iy)}" fill="${c}"/>`
    }
    case 'flower': {
      // Five petals around a centre, inside the box.
      const petals = [0, 72, 144, 216, 288]
        .map(
          (deg) =>
            `<ellipse cx="${f(cx)}" cy="${f(y1 + h * 0.25)}" rx="${f(w * 0.16)}" ry="${f(h * 0.25)}" transform="rotate(${deg} ${f(cx)} ${f(cy)})" fill="${c}"/>`
        )
        .join('')
      return `${petals}<circle cx="${f(cx)}" cy="${f(cy)}" r="${f(Math.min(w, h) * 0.12)}" fill="#fce38a"/>`
    }
  }
}

export function recipeSvg(recipe: Recipe): string {
  const marks = recipe.marks
    .map(
      ([x, y, r]) =>
        `<circle cx="${f(x)}" cy="${f(y)}" r="${f(r)}" fill="none" stroke="#ffffff" stroke-opacity="0.45" stroke-width="2"/>`
    )
    .join('')
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${recipe.w}" height="${recipe.h}" viewBox="0 0 ${recipe.w} ${recipe.h}">` +
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="1" y2="1">` +
    `<stop offset="0" stop-color="${recipe.bg[0]}"/><stop offset="1" stop-color="${recipe.bg[1]}"/>` +
    `</linearGradient></defs><rect width="100%" height="100%" fill="url(#bg)"/>` +
    `${marks}${recipe.shapes.map(shapeSvg).join('')}</svg>`
  )
}

/** The image bytes for a recipe, in the sample's stored format. */
export async function renderRecipe(
  recipe: Recipe,
  format: 'jpg' | 'png' | 'webp'
): Promise<Buffer> {
  const { copy, ...drawn } = recipe
  if (copy) return renderCopy(await renderRecipe(drawn, 'jpg'), copy, format)
  const image = sharp(Buffer.from(recipeSvg(recipe)))
  if (format === 'png') return image.png().toBuffer()
  if (format === 'webp') return image.webp({ quality: 85 }).toBuffer()
  return image.jpeg({ quality: 88, mozjpeg: true }).toBuffer()
}

function renderCopy(
  original: Buffer,
  { crop: [left, top, width, height], ...copy }: CopyOf,
  format: 'jpg' | 'png' | 'webp'
): Promise<Buffer> {
  const image = sharp(original)
    .extract({ left, top, width, height })
    .resize({ width: copy.width, height: copy.height, fit: 'fill' })
  if (format === 'png') return image.png().toBuffer()
  if (format === 'webp') return image.webp({ quality: copy.quality }).toBuffer()
  return image.jpeg({ quality: copy.quality }).toBuffer()
}
