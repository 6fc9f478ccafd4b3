import { Rect } from 'fabric'
import { describe, expect, it } from 'vitest'
import {
  boxFromCorners,
  boxInView,
  boxToRect,
  boxToRectGeometry,
  cycleBox,
  fitBox,
  growBox,
  moveBox,
  normalizeBox,
  placeBox,
  rectToBox,
  sameBox
} from './boxes'

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

  describe('editing', () => {
    const image = { width: 200, height: 100 }
    const at = (x1: number, y1: number, x2: number, y2: number) => ({ tag: 'car', x1, y1, x2, y2 })

    it('moves a box by whole pixels and stops it at the image edge, its size kept', () => {
      expect(moveBox(box, 1, 0, image)).toEqual(at(11, 20, 111, 70))
      expect(moveBox(box, 0, -10, image)).toEqual(at(10, 10, 110, 60))
      expect(moveBox(box, -50, 0, image)).toEqual(at(0, 20, 100, 70))
      expect(moveBox(box, 0, 80, image)).toEqual(at(10, 50, 110, 100))
      expect(moveBox(box, 500, 500, image)).toEqual(at(100, 50, 200, 100))
    })

    it('rounds a fractional box as it moves', () => {
      expect(moveBox(at(10.4, 20.6, 60.2, 40.5), 1, 1, image)).toEqual(at(11, 22, 61, 42))
    })

    it('places a dragged box back inside, shrinking it only when it is larger than the image', () => {
      expect(placeBox(at(-5.2, 90, 20, 120), image)).toEqual(at(0, 70, 25, 100))
      expect(placeBox(at(-10, -10, 300, 50), image)).toEqual(at(0, 0, 200, 60))
      expect(placeBox(at(5, 5, 5.2, 5.1), image)).toEqual(at(5, 5, 6, 6))
    })

    it('grows and shrinks the right and bottom edges, never past the image nor below 1 px', () => {
      expect(growBox(box, 1, 0, image)).toEqual(at(10, 20, 111, 70))
      expect(growBox(box, 0, -1, image)).toEqual(at(10, 20, 110, 69))
      expect(growBox(at(10, 20, 200, 100), 1, 1, image)).toEqual(at(10, 20, 200, 100))
      expect(growBox(at(10, 20, 11, 21), -1, -1, image)).toEqual(at(10, 20, 11, 21))
    })

    it('fits a resized box: edges clamped to the image, at least 1 px, never inverted', () => {
      expect(fitBox(at(-3.4, 10.6, 250, 40), image)).toEqual(at(0, 11, 200, 40))
      expect(fitBox(at(50, 50, 50.2, 50.3), image)).toEqual(at(50, 50, 51, 51))
      expect(fitBox(at(120, 60, 80, 20), image)).toEqual(at(80, 20, 120, 60))
      expect(fitBox(at(199.8, 99.9, 260, 120), image)).toEqual(at(199, 99, 200, 100))
    })

    it('bounds only the near edges while the image size is unknown', () => {
      expect(moveBox(box, 1000, -100, null)).toEqual(at(1010, 0, 1110, 50))
      expect(growBox(box, 500, 0, null)).toEqual(at(10, 20, 610, 70))
    })

    it('draws a box between two points in either order, inside the image', () => {
      expect(boxFromCorners({ x: 50.4, y: 80 }, { x: 10, y: 20.6 }, image, 'dog')).toEqual({
        tag: 'dog',
        x1: 10,
        y1: 21,
        x2: 50,
        y2: 80
      })
      expect(boxFromCorners({ x: -20, y: 50 }, { x: 260, y: 130 }, image, 'dog')).toEqual({
        tag: 'dog',
        x1: 0,
        y1: 50,
        x2: 200,
        y2: 100
      })
      expect(boxFromCorners({ x: 10, y: 10 }, { x: 10.2, y: 60 }, image, 'dog')).toBeNull()
    })

    it('places a new box, a quarter of the image, in the middle of the view', () => {
      const whole = { tag: '', x1: 0, y1: 0, x2: 200, y2: 100 }
      expect(boxInView(whole, image, 'dog')).toEqual({
        tag: 'dog',
        x1: 50,
        y1: 25,
        x2: 150,
        y2: 75
      })
      // Zoomed into the top-left corner: centred there, but inside the image.
      const corner = { tag: '', x1: -10, y1: -10, x2: 30, y2: 10 }
      expect(boxInView(corner, image, 'dog')).toEqual({ tag: 'dog', x1: 0, y1: 0, x2: 100, y2: 50 })
    })

    it('picks the next and previous box round the list', () => {
      expect(cycleBox(null, 1, 3)).toBe(0)
      expect(cycleBox(null, -1, 3)).toBe(2)
      expect(cycleBox(2, 1, 3)).toBe(0)
      expect(cycleBox(0, -1, 3)).toBe(2)
      expect(cycleBox(1, 1, 3)).toBe(2)
      expect(cycleBox(5, 1, 3)).toBe(0)
      expect(cycleBox(null, 1, 0)).toBeNull()
    })

    it('compares boxes by label and corners', () => {
      expect(sameBox(box, { ...box })).toBe(true)
      expect(sameBox(box, { ...box, tag: 'bus' })).toBe(false)
      expect(sameBox(box, { ...box, x2: 111 })).toBe(false)
    })
  })
})
