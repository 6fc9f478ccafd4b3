import { seededRandom } from '../shared/random'
import type { PlantedDefect } from './demo-recipes'
import { Recipe, type CopyOf } from './render'
import type { StoredLabel } from './rows'
import type { NewSample } from './store'

/**
 * Near-duplicates planted in the demo detection job for the problem finder: some tagged images
 * become copies of another image of the job, as a dataset gathers them (the same photo saved
 * again smaller, recompressed, or cropped a little). A copy is drawn from its original's recipe
 * and then changed (render.ts); its boxes are the original's, moved and scaled with it, so the
 * job stays correctly labelled. Sample and tagged counts do not change (a tagged image becomes a
 * tagged copy); label counts do, a little.
 */

/** One planted group: an image and its copies, by name. */
export interface PlantedCopies {
  original: string
  copies: string[]
}

/** Groups planted, as a share of the job (one or two copies each). */
const GROUP_SHARE = 0.05
/** Where the groups go: away from the first images the drawing tests look at. */
const FROM = 0.5
/** The most a copy is cropped, per side, as a share of the side (the signature tolerates 3%). */
const MAX_CROP = 0.03

type Change = 'resized' | 'recompressed' | 'cropped' | 'croppedResized'
const CHANGES: Change[] = ['resized', 'recompressed', 'cropped', 'croppedResized']

/**
 * Turns tagged images not planted with another defect into copies of others (in place), from
 * the middle of the job on; returns the groups. None in a job under 100 images.
 */
export function plantNearDuplicates(
  samples: NewSample[],
  taken: readonly PlantedDefect[]
): PlantedCopies[] {
  const groups = Math.floor(samples.length * GROUP_SHARE)
  if (samples.length < 100 || groups === 0) return []
  const rand = seededRandom(0xc0b1e5)
  const busy = new Set(taken.map((d) => d.name))
  const free = (at: number) => {
    const sample = samples[at]
    return sample !== undefined && sample.labels.length > 0 && !busy.has(sample.name)
  }
  // Consecutive free images: an original, then its copies.
  const span = Math.floor((samples.length * (1 - FROM)) / groups)
  const planted: PlantedCopies[] = []
  let change = 0
  for (let g = 0; g < groups; g++) {
    const want = 1 + (g % 2)
    let at = Math.floor(samples.length * FROM) + g * span
    const members: NewSample[] = []
    for (; at < samples.length && members.length < want + 1; at++)
      if (free(at)) members.push(samples[at] as NewSample)
    const [original, ...copies] = members
    if (!original || copies.length < want) break
    for (const copy of copies) {
      makeCopy(copy, original, CHANGES[change++ % CHANGES.length] as Change, rand)
      busy.add(copy.name)
    }
    busy.add(original.name)
    planted.push({ original: original.name, copies: copies.map((c) => c.name) })
  }
  return planted
}

/** `copy` becomes `original` changed: its recipe, size and boxes. */
function makeCopy(copy: NewSample, original: NewSample, change: Change, rand: () => number) {
  const recipe = Recipe.parse(JSON.parse(original.recipe ?? ''))
  const side = () => Math.floor(rand() * MAX_CROP * 1000) / 1000
  const cropped = change === 'cropped' || change === 'croppedResized'
  const [left, right, top, bottom] = cropped
    ? [side(), side(), side(), side()].map((s, i) => Math.round(s * (i < 2 ? recipe.w : recipe.h)))
    : [0, 0, 0, 0]
  const crop: CopyOf['crop'] = [
    left ?? 0,
    top ?? 0,
    recipe.w - (left ?? 0) - (right ?? 0),
    recipe.h - (top ?? 0) - (bottom ?? 0)
  ]
  const scale =
    change === 'resized' || change === 'croppedResized' ? 0.55 + Math.round(rand() * 30) / 100 : 1
  const width = Math.round(crop[2] * scale)
  const height = Math.round(crop[3] * scale)
  const quality = change === 'recompressed' ? 30 + Math.round(rand() * 30) : 75
  const copyOf: CopyOf = { crop, width, height, quality }
  copy.recipe = JSON.stringify({ ...recipe, copy: copyOf })
  copy.width = width
  copy.height = height
  copy.labels = original.labels.map((label) => moved(label, copyOf))
}

/** A box of the original where it is in the copy (cut to the crop, then scaled). */
function moved(label: StoredLabel, { crop: [x, y, w, h], width, height }: CopyOf): StoredLabel {
  if (!Array.isArray(label)) return label
  const [tag, x1, y1, x2, y2] = label
  const sx = width / w
  const sy = height / h
  const clampX = (v: number) => Math.min(width, Math.max(0, Math.round((v - x) * sx)))
  const clampY = (v: number) => Math.min(height, Math.max(0, Math.round((v - y) * sy)))
  return [tag, clampX(x1), clampY(y1), clampX(x2), clampY(y2)]
}
