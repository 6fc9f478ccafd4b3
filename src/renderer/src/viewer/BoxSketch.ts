import { Rect, type Canvas, type TPointerEventInfo } from 'fabric'
import type { Box } from '../../../shared/domain'
import { boxFromCorners, boxToRectGeometry, type Bounds, type ImagePoint } from './boxes'

/** Pointer travel (screen px) under which a press is a click, not a pan or a drawn box. */
export const CLICK_SLOP = 4

const NOWHERE: Box = { tag: '', x1: 0, y1: 0, x2: 0, y2: 0 }

/**
 * Draw mode's outline on the canvas: the box being dragged out, from the press to the release,
 * in whole image pixels inside the image, as it will be added.
 */
export class BoxSketch {
  private readonly start: ImagePoint
  private readonly screen: ImagePoint
  private readonly rect: Rect

  constructor(
    private readonly canvas: Canvas,
    private readonly bounds: Bounds,
    at: TPointerEventInfo,
    strokeWidth: number
  ) {
    this.start = { x: at.scenePoint.x, y: at.scenePoint.y }
    this.screen = { x: at.viewportPoint.x, y: at.viewportPoint.y }
    const zoom = canvas.getZoom()
    this.rect = new Rect({
      ...boxToRectGeometry(NOWHERE),
      fill: 'rgb(255 255 255 / 0.12)',
      stroke: '#ffffff',
      strokeWidth: strokeWidth / zoom,
      strokeDashArray: [6 / zoom, 4 / zoom],
      visible: false,
      selectable: false,
      evented: false,
      objectCaching: false
    })
    canvas.add(this.rect)
  }

  move(to: ImagePoint): void {
    const box = boxFromCorners(this.start, to, this.bounds, '')
    this.rect.set({ ...boxToRectGeometry(box ?? NOWHERE), visible: box !== null })
    this.rect.setCoords()
    this.canvas.requestRenderAll()
  }

  /** The box drawn (no label yet), or null for a click or a box under 1 px; the outline goes. */
  end(at: TPointerEventInfo): Box | null {
    this.drop()
    const travel = Math.hypot(
      at.viewportPoint.x - this.screen.x,
      at.viewportPoint.y - this.screen.y
    )
    return travel < CLICK_SLOP ? null : boxFromCorners(this.start, at.scenePoint, this.bounds, '')
  }

  drop(): void {
    this.canvas.remove(this.rect)
    this.canvas.requestRenderAll()
  }
}
