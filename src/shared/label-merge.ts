import type { Box } from './domain'
import { iou, sameBox, sameLabels, type BoxConflict, type LabelEdit, type LabelSet } from './labels'

/**
 * A reviewer's label change against what the service holds now. The service replaces a
 * sample's whole label list with no version check, so main reads the labels again right before
 * sending and merges here:
 * - the service still holds what the reviewer saw: send theirs with the reviewer's changes;
 * - a colleague changed it meanwhile: merge box by box (and tag by tag) where the two touched
 *   different things; a box both changed differently is a conflict, shown to the reviewer and
 *   not sent; a deletion (by either side) wins over an edit;
 * - the service already holds what the reviewer wants (a re-send after a crash): nothing to do.
 * Every label is sent as the service holds it, with every field and property Tagdeck does not
 * understand; a box changed here keeps them too. Labels of shapes Tagdeck does not edit
 * (polygons...) are always kept as they are.
 */

/** A label as the service holds it (ModelArts: name, type, property, and maybe more). */
export interface RawLabel {
  name: string
  type?: number
  property?: Record<string, unknown> | null
  [field: string]: unknown
}

export const SHAPE = '@modelarts:shape'
export const FEATURE = '@modelarts:feature'

/** `[[x1,y1],[x2,y2]]`, numbers or numeric strings, of a `bndbox` label; else null. */
export function boxOfLabel(label: Pick<RawLabel, 'name' | 'property'>): Box | null {
  const property = label.property ?? {}
  if (property[SHAPE] !== 'bndbox') return null
  const feature = property[FEATURE]
  if (!Array.isArray(feature) || feature.length < 2) return null
  const point = (p: unknown): [number, number] | null => {
    if (!Array.isArray(p) || p.length < 2) return null
    const [x, y] = [Number(p[0]), Number(p[1])]
    return Number.isFinite(x) && Number.isFinite(y) ? [x, y] : null
  }
  const a = point(feature[0])
  const b = point(feature[1])
  if (!a || !b) return null
  // Corners as given may be any two opposite ones: top-left and bottom-right.
  return {
    tag: label.name,
    x1: Math.min(a[0], b[0]),
    y1: Math.min(a[1], b[1]),
    x2: Math.max(a[0], b[0]),
    y2: Math.max(a[1], b[1])
  }
}

/** A label with no shape is an image tag; a box is a box; anything else is kept untouched. */
type Piece =
  | { kind: 'tag'; name: string; raw: RawLabel }
  | { kind: 'box'; box: Box; raw: RawLabel }
  | { kind: 'other'; raw: RawLabel }

function pieceOf(raw: RawLabel): Piece {
  const box = boxOfLabel(raw)
  if (box) return { kind: 'box', box, raw }
  if (raw.property?.[SHAPE] === undefined) return { kind: 'tag', name: raw.name, raw }
  return { kind: 'other', raw }
}

/** What the service's labels mean to a reviewer. */
export function labelSetOfRaw(labels: readonly RawLabel[]): LabelSet {
  const pieces = labels.map(pieceOf)
  const tags = pieces.flatMap((p) => (p.kind === 'tag' ? [p.name] : []))
  return {
    tags: [...new Set(tags)],
    boxes: pieces.flatMap((p) => (p.kind === 'box' ? [p.box] : []))
  }
}

export type MergeResult =
  /** The service holds what the reviewer wants already. */
  | { kind: 'unchanged' }
  /** Send `labels`; `merged`: a colleague's changes were kept beside the reviewer's. */
  | { kind: 'send'; labels: RawLabel[]; result: LabelSet; merged: boolean }
  /**
   * Not sent. `boxes`: both changed the same boxes; `empty`: the merge would leave the image
   * with no label, which only a reviewer clearing it may do.
   */
  | { kind: 'conflict'; reason: 'boxes' | 'empty'; theirs: LabelSet; boxes: BoxConflict[] }

/** A box's label: the service's own, with the reviewer's name and corners. */
function boxLabel(box: Box, from: RawLabel | null, typeHint: number): RawLabel {
  const feature = [
    [box.x1, box.y1],
    [box.x2, box.y2]
  ]
  if (from) return { ...from, name: box.tag, property: { ...from.property, [FEATURE]: feature } }
  return { name: box.tag, type: typeHint, property: { [SHAPE]: 'bndbox', [FEATURE]: feature } }
}

/**
 * Pairs each base box with the service's box it became: the same box first; then, for the
 * base boxes left, the service's left box of the largest overlap over `PAIR_IOU` (moved,
 * resized or relabelled). Unpaired base boxes were deleted there; unpaired service boxes are
 * new there.
 */
const PAIR_IOU = 0.3

function pairBoxes(base: readonly Box[], theirs: readonly Box[]): (number | null)[] {
  const paired: (number | null)[] = base.map(() => null)
  const taken = new Set<number>()
  base.forEach((box, i) => {
    const j = theirs.findIndex((t, k) => !taken.has(k) && sameBox(box, t))
    if (j >= 0) {
      paired[i] = j
      taken.add(j)
    }
  })
  const candidates: { i: number; j: number; overlap: number }[] = []
  base.forEach((box, i) => {
    if (paired[i] !== null) return
    theirs.forEach((t, j) => {
      if (taken.has(j)) return
      const overlap = iou(box, t)
      if (overlap >= PAIR_IOU) candidates.push({ i, j, overlap })
    })
  })
  candidates.sort((a, b) => b.overlap - a.overlap)
  for (const { i, j } of candidates) {
    if (paired[i] !== null || taken.has(j)) continue
    paired[i] = j
    taken.add(j)
  }
  return paired
}

/** Merges a reviewer's edit into the labels the service holds now (see the top of the file). */
export function mergeLabels(edit: LabelEdit, theirsRaw: readonly RawLabel[]): MergeResult {
  const theirs = labelSetOfRaw(theirsRaw)
  if (sameLabels(theirs, edit.mine)) return { kind: 'unchanged' }
  const merged = !sameLabels(theirs, edit.base)
  const pieces = theirsRaw.map(pieceOf)
  const boxPieces = pieces.filter((p): p is Extract<Piece, { kind: 'box' }> => p.kind === 'box')
  const typeHint = (kind: Piece['kind'], fallback: number) =>
    pieces.find((p) => p.kind === kind)?.raw.type ?? fallback

  // Boxes: for each service box, what becomes of it (null: deleted); then the new ones.
  const pairOf = pairBoxes(
    edit.base.boxes,
    boxPieces.map((p) => p.box)
  )
  const mineOf = new Map<number, Box>()
  edit.origins.forEach((origin, k) => {
    if (origin !== null) mineOf.set(origin, edit.mine.boxes[k])
  })
  const outcome = new Map<number, Box | null>()
  const conflicts: BoxConflict[] = []
  edit.base.boxes.forEach((baseBox, i) => {
    const j = pairOf[i]
    const mine = mineOf.get(i)
    if (j === null) return // deleted there: a deletion wins over any edit here
    const there = boxPieces[j].box
    if (mine === undefined) return void outcome.set(j, null) // deleted here
    const changedHere = !sameBox(mine, baseBox)
    const changedThere = !sameBox(there, baseBox)
    if (!changedHere) return // theirs as it is
    if (!changedThere || sameBox(mine, there)) return void outcome.set(j, mine)
    conflicts.push({ base: baseBox, theirs: there, mine })
  })
  if (conflicts.length > 0) return { kind: 'conflict', reason: 'boxes', theirs, boxes: conflicts }
  const added = edit.mine.boxes.filter((_, k) => edit.origins[k] === null)

  // Tags, as sets: theirs, less what the reviewer removed, plus what they added.
  const baseTags = new Set(edit.base.tags)
  const mineTags = new Set(edit.mine.tags)
  const removedTags = new Set([...baseTags].filter((t) => !mineTags.has(t)))
  const addedTags = [...mineTags].filter((t) => !baseTags.has(t) && !theirs.tags.includes(t))

  const labels: RawLabel[] = []
  let boxIndex = 0
  for (const piece of pieces) {
    if (piece.kind === 'other') labels.push(piece.raw)
    else if (piece.kind === 'tag') {
      if (!removedTags.has(piece.name)) labels.push(piece.raw)
    } else {
      const j = boxIndex++
      const fate = outcome.get(j)
      if (fate === undefined) labels.push(piece.raw)
      else if (fate !== null) labels.push(boxLabel(fate, piece.raw, 1))
    }
  }
  for (const name of addedTags) labels.push({ name, type: typeHint('tag', 0) })
  for (const box of added) labels.push(boxLabel(box, null, typeHint('box', 1)))

  const result = labelSetOfRaw(labels)
  if (labels.length === 0 && theirsRaw.length > 0 && !edit.cleared)
    return { kind: 'conflict', reason: 'empty', theirs, boxes: [] }
  if (sameLabels(result, theirs) && labels.length === theirsRaw.length) return { kind: 'unchanged' }
  return { kind: 'send', labels, result, merged }
}
