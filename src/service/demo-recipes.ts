import { seededRandom } from '../shared/random'
import type { Recipe, Shape, ShapeKind } from './render'
import type { StoredLabel } from './rows'
import type { NewSample } from './store'

/**
 * The demo's synthetic images: each sample is a recipe (size, background, shapes) drawn when
 * first asked for (render.ts), with labels that match what is drawn: a tag per class shown, or
 * a box that is exactly the bounding box of each shape.
 */
export const DEFAULT_SIZES = { classification: 600, detection: 400 } as const
const UNTAGGED_SHARE = 0.05

/** Class name, the shape drawn for it, its colour (also `@modelarts:color`). */
export const CLASSIFICATION: [string, ShapeKind, string][] = [
  ['circle', 'circle', '#e6194b'],
  ['square', 'square', '#3cb44b'],
  ['triangle', 'triangle', '#4363d8'],
  ['ring', 'ring', '#f58231'],
  ['花', 'flower', '#f032e6']
]
export const DETECTION: [string, ShapeKind, string][] = [
  ['circle', 'circle', '#e6194b'],
  ['square', 'square', '#3cb44b'],
  ['triangle', 'triangle', '#4363d8'],
  ['diamond', 'diamond', '#f58231'],
  ['cross', 'cross', '#911eb4']
]
const SIZES: [number, number][] = [
  [640, 480],
  [800, 600],
  [480, 640],
  [1024, 768],
  [600, 600]
]

const int = (rand: () => number, lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1))
const choose = <T>(rand: () => number, list: readonly T[]): T =>
  list[int(rand, 0, list.length - 1)] as T

function pastel(rand: () => number): string {
  const h = rand() * 360
  const s = 0.25 + rand() * 0.2
  const l = 0.82 + rand() * 0.1
  const k = (n: number) => (n + h / 30) % 12
  const a = s * Math.min(l, 1 - l)
  const channel = (n: number) => l - a * Math.max(-1, Math.min(k(n) - 3, 9 - k(n), 1))
  return `#${[0, 8, 4]
    .map((n) =>
      Math.round(channel(n) * 255)
        .toString(16)
        .padStart(2, '0')
    )
    .join('')}`
}

function background(rand: () => number, w: number, h: number): Pick<Recipe, 'bg' | 'marks'> {
  const marks = Array.from({ length: int(rand, 3, 8) }, (): [number, number, number] => [
    int(rand, 0, w),
    int(rand, 0, h),
    int(rand, 10, Math.round(Math.min(w, h) / 4))
  ])
  return { bg: [pastel(rand), pastel(rand)], marks }
}

const overlaps = (a: Shape['b'], b: Shape['b'], gap: number) =>
  a[0] < b[2] + gap && b[0] < a[2] + gap && a[1] < b[3] + gap && b[1] < a[3] + gap

function detectionRecipe(rand: () => number): { recipe: Recipe; labels: StoredLabel[] } {
  const [w, h] = choose(rand, SIZES)
  const shapes: Shape[] = []
  const want = int(rand, 1, 5)
  for (let attempt = 0; shapes.length < want && attempt < 40; attempt++) {
    const side = Math.round(Math.min(w, h) * (0.1 + rand() * 0.25))
    const bw = Math.max(12, Math.round(side * (0.75 + rand() * 0.5)))
    const bh = Math.max(12, Math.round(side * (0.75 + rand() * 0.5)))
    const x1 = int(rand, 4, w - bw - 4)
    const y1 = int(rand, 4, h - bh - 4)
    const box: Shape['b'] = [x1, y1, x1 + bw, y1 + bh]
    if (shapes.some((s) => overlaps(s.b, box, 6))) continue
    const [, k, c] = choose(rand, DETECTION)
    shapes.push({ k, c, b: box })
  }
  const labels = shapes.map((s): StoredLabel => {
    const name = DETECTION.find(([, kind]) => kind === s.k)?.[0] ?? s.k
    return [name, ...s.b]
  })
  return { recipe: { w, h, ...background(rand, w, h), shapes }, labels }
}

function classificationRecipe(rand: () => number): { recipe: Recipe; labels: StoredLabel[] } {
  const [w, h] = choose(rand, SIZES)
  const main = choose(rand, CLASSIFICATION)
  const classes = [main]
  if (rand() < 0.2) {
    const other = choose(rand, CLASSIFICATION)
    if (other !== main) classes.push(other)
  }
  const shapes = classes.map(([, k, c], index): Shape => {
    const side = Math.round(
      Math.min(w, h) * (index === 0 ? 0.45 + rand() * 0.3 : 0.2 + rand() * 0.1)
    )
    const x1 = int(rand, 4, w - side - 4)
    const y1 = int(rand, 4, h - side - 4)
    return { k, c, b: [x1, y1, x1 + side, y1 + side] }
  })
  return {
    recipe: { w, h, ...background(rand, w, h), shapes },
    labels: classes.map(([name]) => name)
  }
}

export function demoSamples(type: 0 | 1, count: number, seed: number, start: number): NewSample[] {
  const rand = seededRandom(seed)
  let time = start
  return Array.from({ length: count }, (_, i) => {
    const { recipe, labels } = type === 0 ? classificationRecipe(rand) : detectionRecipe(rand)
    // Whole seconds, sometimes equal: the (time, id) order has ties to break.
    time += 1000 * int(rand, 0, 40)
    return {
      name: `shapes_${String(i + 1).padStart(6, '0')}.jpg`,
      time,
      width: recipe.w,
      height: recipe.h,
      format: 'jpg',
      labels: rand() < UNTAGGED_SHARE ? [] : labels,
      recipe: JSON.stringify(recipe)
    }
  })
}

/**
 * A defect planted in the demo detection job for the problem finder to find (it is listed in
 * the data folder as `demo-defects.json`): which image, which check, which of its boxes.
 */
export interface PlantedDefect {
  name: string
  kind:
    | 'outOfBounds'
    | 'noArea'
    | 'tiny'
    | 'duplicate'
    | 'overlap'
    | 'untagged'
    | 'noSize'
    | 'tooManyBoxes'
    | 'rareLabel'
  /** Indices into the image's labels (empty: the image as a whole). */
  boxes: number[]
}

/**
 * A label of the detection job put on so few images (half a percent of the job) that the
 * problem finder calls it rare (under 1%). It is not a shape the demo draws: a box that names
 * nothing in its image, as a rare label put on by mistake often does.
 */
export const RARE_LABEL = { name: 'unicycle', color: '#42d4f4' } as const
const RARE_SHARE = 0.005

/** Where each defect goes, as a share of the job (so any demo size of 100 or more has them all). */
const PLANTS: [PlantedDefect['kind'], number][] = [
  ['outOfBounds', 0.15],
  ['outOfBounds', 0.4],
  ['noArea', 0.18],
  ['tiny', 0.21],
  ['duplicate', 0.24],
  ['duplicate', 0.45],
  ['overlap', 0.27],
  ['noSize', 0.3],
  ['tooManyBoxes', 0.33]
]

/**
 * Plants known defects into detection samples (in place: their labels, or their size), away
 * from the first images the drawing tests look at, and returns every defect the job then has,
 * the untagged images included. The images are drawn from their recipes, so they do not change.
 */
export function plantDefects(samples: NewSample[]): PlantedDefect[] {
  const planted: PlantedDefect[] = []
  if (samples.length >= 100) {
    for (const [kind, share] of PLANTS) {
      // The first tagged image at or after the spot, not planted yet.
      let at = Math.floor(samples.length * share)
      while (
        at < samples.length &&
        ((samples[at]?.labels.length ?? 0) === 0 ||
          planted.some((p) => p.name === samples[at]?.name))
      )
        at++
      const sample = samples[at]
      if (!sample) continue
      const first = sample.labels[0]
      // The demo's own boxes are tuples.
      if (!Array.isArray(first)) continue
      const [tag, x1, y1, x2, y2] = first
      const other = DETECTION.find(([name]) => name !== tag)?.[0] ?? tag
      const add = (label: StoredLabel) => sample.labels.push(label) - 1
      const boxes: number[] = []
      switch (kind) {
        case 'outOfBounds':
          sample.labels[0] = [tag, x1, y1, sample.width + 12, y2]
          boxes.push(0)
          break
        case 'noArea':
          boxes.push(add([tag, x1, y1, x1, y2]))
          break
        case 'tiny':
          boxes.push(add([tag, x1 + 2, y1 + 2, x1 + 5, y1 + 5]))
          break
        case 'duplicate':
          boxes.push(0, add([tag, x1, y1, x2, y2 + 1]))
          break
        case 'overlap':
          boxes.push(0, add([other, x1, y1 + 1, x2, y2]))
          break
        case 'noSize':
          sample.width = 0
          sample.height = 0
          break
        case 'tooManyBoxes':
          // A grid of small boxes of the first box's label, none overlapping another.
          for (let k = 0; k < 55; k++)
            add([
              tag,
              (k % 11) * 20,
              2 + Math.floor(k / 11) * 20,
              (k % 11) * 20 + 14,
              16 + Math.floor(k / 11) * 20
            ])
          break
      }
      planted.push({ name: sample.name, kind, boxes })
    }
  }
  planted.push(...plantRareLabel(samples, planted))
  for (const sample of samples)
    if (sample.labels.length === 0) planted.push({ name: sample.name, kind: 'untagged', boxes: [] })
  return planted
}

/**
 * A box of `RARE_LABEL` in the top-left corner of a few tagged images not planted yet, spread
 * over the job; none when the job is too small for any label to be under 1% of it.
 */
function plantRareLabel(samples: NewSample[], taken: PlantedDefect[]): PlantedDefect[] {
  const count = Math.floor(samples.length * RARE_SHARE)
  if (count === 0) return []
  const planted: PlantedDefect[] = []
  for (let k = 0; k < count; k++) {
    let at = Math.floor(((k + 0.5) * samples.length) / count)
    while (
      at < samples.length &&
      ((samples[at]?.labels.length ?? 0) === 0 ||
        taken.some((p) => p.name === samples[at]?.name) ||
        planted.some((p) => p.name === samples[at]?.name))
    )
      at++
    const sample = samples[at]
    if (!sample) continue
    // 40 px square in the corner: inside every demo size, not tiny, and too small next to the
    // drawn shapes' boxes to overlap one by IoU 0.8.
    const index = sample.labels.push([RARE_LABEL.name, 2, 2, 42, 42]) - 1
    planted.push({ name: sample.name, kind: 'rareLabel', boxes: [index] })
  }
  return planted
}
