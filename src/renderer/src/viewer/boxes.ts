import { Rect } from 'fabric'
import type { Box } from '../../../shared/domain'

/**
 * The one place boxes cross between the service's `{x1,y1,x2,y2}` (image pixels, origin top-left)
 * and fabric Rects. fabric 7 objects default to a centre origin, and fabric counts the stroke in
 * an object's size, so a top-left `left/top` would shift with every stroke width. We anchor each
 * Rect at the box's centre instead: the stroke then straddles the box edge at any width (the
 * viewer thins it as you zoom), and reading back is origin- and stroke-independent.
 */
export interface RectGeometry {
  left: number
  top: number
  width: number
  height: number
  originX: 'center'
  originY: 'center'
}

/** Normalizes a box whose corners came in either order. */
export function normalizeBox(box: Box): Box {
  return {
    tag: box.tag,
    x1: Math.min(box.x1, box.x2),
    y1: Math.min(box.y1, box.y2),
    x2: Math.max(box.x1, box.x2),
    y2: Math.max(box.y1, box.y2)
  }
}

export function boxToRectGeometry(box: Box): RectGeometry {
  const b = normalizeBox(box)
  return {
    left: (b.x1 + b.x2) / 2,
    top: (b.y1 + b.y2) / 2,
    width: b.x2 - b.x1,
    height: b.y2 - b.y1,
    originX: 'center',
    originY: 'center'
  }
}

export function boxToRect(box: Box, style: { stroke: string; strokeWidth: number }): Rect {
  return new Rect({
    ...boxToRectGeometry(box),
    fill: 'transparent',
    stroke: style.stroke,
    strokeWidth: style.strokeWidth,
    selectable: false,
    hasControls: false,
    objectCaching: false
  })
}

/** Reads a Rect back as a box (its path, without the stroke), whatever its origin or scale. */
export function rectToBox(rect: Rect, tag: string): Box {
  const centre = rect.getCenterPoint()
  const width = rect.width * rect.scaleX
  const height = rect.height * rect.scaleY
  return {
    tag,
    x1: centre.x - width / 2,
    y1: centre.y - height / 2,
    x2: centre.x + width / 2,
    y2: centre.y + height / 2
  }
}

/**
 * One edit the viewer made to an image's boxes: `index` is the box's place in the new list
 * (move, resize, relabel, add) or, for a delete, in the old one.
 */
export type BoxChange = { kind: 'move' | 'resize' | 'delete' | 'relabel' | 'add'; index: number }

/** The image's size in pixels; null while it is not known (nothing then bounds the far edges). */
export type Bounds = { width: number; height: number } | null

export interface ImagePoint {
  x: number
  y: number
}

const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value))

/**
 * A box moved as a whole, as the service will keep it: whole pixels, its size kept (at least
 * 1 px, at most the image), pushed back inside the image rather than cut.
 */
export function placeBox(box: Box, bounds: Bounds): Box {
  const b = normalizeBox(box)
  const maxW = bounds?.width ?? Infinity
  const maxH = bounds?.height ?? Infinity
  const width = clamp(Math.round(b.x2 - b.x1), 1, maxW)
  const height = clamp(Math.round(b.y2 - b.y1), 1, maxH)
  const x1 = clamp(Math.round(b.x1), 0, maxW - width)
  const y1 = clamp(Math.round(b.y1), 0, maxH - height)
  return { tag: box.tag, x1, y1, x2: x1 + width, y2: y1 + height }
}

/** A box whose edges were dragged: whole pixels, every edge inside the image, at least 1 px. */
export function fitBox(box: Box, bounds: Bounds): Box {
  const b = normalizeBox(box)
  const maxX = bounds?.width ?? Infinity
  const maxY = bounds?.height ?? Infinity
  const x1 = clamp(Math.round(b.x1), 0, maxX - 1)
  const y1 = clamp(Math.round(b.y1), 0, maxY - 1)
  return {
    tag: box.tag,
    x1,
    y1,
    x2: clamp(Math.round(b.x2), x1 + 1, maxX),
    y2: clamp(Math.round(b.y2), y1 + 1, maxY)
  }
}

/** Alt+arrows: the whole box by `dx`, `dy` pixels, stopping at the image's edge. */
export function moveBox(box: Box, dx: number, dy: number, bounds: Bounds): Box {
  const b = normalizeBox(box)
  return placeBox({ ...b, x1: b.x1 + dx, x2: b.x2 + dx, y1: b.y1 + dy, y2: b.y2 + dy }, bounds)
}

/** Alt+Ctrl+arrows: the right and bottom edges out (positive) or in, never past the left/top. */
export function growBox(box: Box, dx: number, dy: number, bounds: Bounds): Box {
  const b = normalizeBox(box)
  return fitBox({ ...b, x2: b.x2 + dx, y2: b.y2 + dy }, bounds)
}

/** A box dragged out between two points of the image (either order), or null if under 1 px. */
export function boxFromCorners(
  a: ImagePoint,
  b: ImagePoint,
  bounds: Bounds,
  tag: string
): Box | null {
  const inside = (p: ImagePoint): ImagePoint => ({
    x: Math.round(clamp(p.x, 0, bounds?.width ?? Infinity)),
    y: Math.round(clamp(p.y, 0, bounds?.height ?? Infinity))
  })
  const [p, q] = [inside(a), inside(b)]
  if (p.x === q.x || p.y === q.y) return null
  return normalizeBox({ tag, x1: p.x, y1: p.y, x2: q.x, y2: q.y })
}

/**
 * A new box for the keyboard alone: half the image's width and height (a quarter of it),
 * centred on what the view shows (`view`, in image pixels), inside the image.
 */
export function boxInView(view: Box, bounds: Bounds, tag: string): Box {
  const v = normalizeBox(view)
  const width = (bounds?.width ?? v.x2 - v.x1) / 2
  const height = (bounds?.height ?? v.y2 - v.y1) / 2
  const cx = (v.x1 + v.x2) / 2
  const cy = (v.y1 + v.y2) / 2
  return placeBox(
    { tag, x1: cx - width / 2, y1: cy - height / 2, x2: cx + width / 2, y2: cy + height / 2 },
    bounds
  )
}

/** `]` and `[`: the next or previous box, round the list; from none, the first or the last. */
export function cycleBox(current: number | null, by: 1 | -1, count: number): number | null {
  if (count === 0) return null
  if (current === null || current >= count) return by > 0 ? 0 : count - 1
  return (current + by + count) % count
}

export function sameBox(a: Box, b: Box): boolean {
  return a.tag === b.tag && a.x1 === b.x1 && a.y1 === b.y1 && a.x2 === b.x2 && a.y2 === b.y2
}
