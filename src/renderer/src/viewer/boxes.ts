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
