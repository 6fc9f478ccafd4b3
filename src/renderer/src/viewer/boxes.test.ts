import { Rect } from 'fabric'
import { describe, expect, it } from 'vitest'
import { boxToRect, boxToRectGeometry, normalizeBox, rectToBox } from './boxes'

const box = { tag: 'car', x1: 10, y1: 20, x2: 110, y2: 70 }

describe('boxes', () => {
  it('anchors a Rect at the box centre, so the box path is exactly the box', () => {
    expect(boxToRectGeometry(box)).toEqual({
      left: 60,
      top: 45,
      width: 100,
      height: 50,
      originX: 'center',
      originY: 'center'
    })
    const rect = boxToRect(box, { stroke: '#f00', strokeWidth: 0 })
    expect(rect.getBoundingRect()).toEqual({ left: 10, top: 20, width: 100, height: 50 })
  })

  it('lets the stroke straddle the edge at any width', () => {
    const rect = boxToRect(box, { stroke: '#f00', strokeWidth: 4 })
    expect(rect.getBoundingRect()).toEqual({ left: 8, top: 18, width: 104, height: 54 })
    rect.set({ strokeWidth: 0.5 })
    rect.setCoords()
    expect(rectToBox(rect, 'car')).toEqual(box)
  })

  it('round-trips through a Rect', () => {
    expect(rectToBox(boxToRect(box, { stroke: '#f00', strokeWidth: 2 }), 'car')).toEqual(box)
  })

  it('reads a top-left-origin, scaled Rect as the box it shows', () => {
    const rect = new Rect({
      left: 10,
      top: 20,
      width: 50,
      height: 25,
      scaleX: 2,
      scaleY: 2,
      strokeWidth: 0,
      originX: 'left',
      originY: 'top'
    })
    expect(rectToBox(rect, 'car')).toEqual(box)
  })

  it('reads a default (centre-origin) Rect correctly', () => {
    const rect = new Rect({ left: 60, top: 45, width: 100, height: 50, strokeWidth: 0 })
    expect(rect.originX).toBe('center')
    expect(rectToBox(rect, 'car')).toEqual(box)
  })

  it('normalizes corners given in the wrong order', () => {
    expect(normalizeBox({ tag: 't', x1: 50, y1: 40, x2: 10, y2: 5 })).toEqual({
      tag: 't',
      x1: 10,
      y1: 5,
      x2: 50,
      y2: 40
    })
  })
})
