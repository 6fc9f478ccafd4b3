import { Canvas, FabricImage, FabricText, Point, type Rect, type TPointerEventInfo } from 'fabric'
import type { Box, ImageSize } from '../../../shared/domain'
import type { ColorOf } from '../palette'
import { textOn } from '../palette'
import { boxToRect, normalizeBox } from './boxes'
import { log } from '../log'

/**
 * The viewer's fabric.js canvas, kept out of React: an image and its boxes in image pixels,
 * with the canvas zoomed and panned around them (wheel zooms at the pointer, drag pans).
 * Strokes and labels are divided by the zoom so they stay the same size on screen.
 */
export interface BoxCanvasEvents {
  onHover(index: number | null): void
  onZoom(zoom: number): void
  onImage(state: 'loading' | 'ready' | 'failed'): void
  /** Boxes now on the canvas for the image named `key`. */
  onDrawn(key: string, count: number): void
}

const STROKE = 2
const HOVER_STROKE = 4
const LABEL_SIZE = 13
const MIN_ZOOM = 0.05
const MAX_ZOOM = 40
const FONT =
  "system-ui, 'Noto Sans', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif"

interface Drawn {
  box: Box
  rect: Rect
  label: FabricText
  /** The problem finder flagged it (drawn dashed). */
  flagged: boolean
}

export class BoxCanvas {
  private readonly canvas: Canvas
  private readonly element: HTMLCanvasElement
  private readonly resize: ResizeObserver
  private image: FabricImage | null = null
  private drawn: Drawn[] = []
  private size: { width: number; height: number } | null = null
  private hovered: number | null = null
  private boxesVisible = true
  /** Once the user zooms or pans, resizing the window no longer refits. */
  private userMoved = false
  private drag: { x: number; y: number } | null = null
  private loadAbort: AbortController | null = null

  constructor(
    private readonly host: HTMLElement,
    private readonly events: BoxCanvasEvents
  ) {
    this.element = document.createElement('canvas')
    host.appendChild(this.element)
    this.canvas = new Canvas(this.element, {
      width: Math.max(1, host.clientWidth),
      height: Math.max(1, host.clientHeight),
      selection: false,
      defaultCursor: 'grab',
      hoverCursor: 'grab',
      renderOnAddRemove: false,
      backgroundColor: '#0b0d10'
    })
    this.canvas.on('mouse:wheel', this.onWheel)
    this.canvas.on('mouse:down', this.onDown)
    this.canvas.on('mouse:move', this.onMove)
    this.canvas.on('mouse:up', this.onUp)
    this.canvas.on('mouse:over', ({ target }) => {
      const index = this.drawn.findIndex((d) => d.rect === target)
      if (index >= 0) this.setHover(index, true)
    })
    this.canvas.on('mouse:out', ({ target }) => {
      if (this.drawn.some((d) => d.rect === target)) this.setHover(null, true)
    })
    this.resize = new ResizeObserver(() => this.fitHost())
    this.resize.observe(host)
  }

  /**
   * Loads the image; boxes are in `size` pixels (the original), whatever size the file is.
   * When it fails and `fallbackUrl` is given (the thumbnail, offline), that one is shown.
   * Resolves to what is shown: `'image'`, `'fallback'`, `'failed'`, or `'replaced'` by a newer call.
   */
  async setImage(
    url: string,
    size: ImageSize | null,
    fallbackUrl?: string
  ): Promise<'image' | 'fallback' | 'failed' | 'replaced'> {
    this.loadAbort?.abort()
    const abort = new AbortController()
    this.loadAbort = abort
    this.events.onImage('loading')
    if (this.image) this.canvas.remove(this.image)
    this.image = null
    this.size =
      size && size.width > 0 && size.height > 0 ? { width: size.width, height: size.height } : null
    this.userMoved = false
    if (this.size) this.fit()
    let shown: 'image' | 'fallback' = 'image'
    try {
      let image: FabricImage
      try {
        image = await FabricImage.fromURL(url, { signal: abort.signal })
      } catch (error) {
        if (abort.signal.aborted || fallbackUrl === undefined) throw error
        image = await FabricImage.fromURL(fallbackUrl, { signal: abort.signal })
        shown = 'fallback'
      }
      if (abort.signal.aborted) return 'replaced'
      const natural = { width: image.width, height: image.height }
      this.size ??= natural
      image.set({
        left: 0,
        top: 0,
        originX: 'left',
        originY: 'top',
        scaleX: this.size.width / natural.width,
        scaleY: this.size.height / natural.height,
        selectable: false,
        evented: false
      })
      this.image = image
      this.canvas.insertAt(0, image)
      this.fit()
      this.events.onImage('ready')
      return shown
    } catch (error) {
      if (abort.signal.aborted) return 'replaced'
      log.warn('the viewer could not draw the image', error)
      this.events.onImage('failed')
      return 'failed'
    }
  }

  /**
   * Draws the boxes of the image named `key`, and reports how many are on the canvas. Boxes the
   * problem finder flagged (`flagged`, by index) are drawn dashed.
   */
  setBoxes(
    key: string,
    boxes: readonly Box[],
    colorOf: ColorOf,
    flagged: ReadonlySet<number> = new Set()
  ): void {
    for (const d of this.drawn) this.canvas.remove(d.rect, d.label)
    this.hovered = null
    this.drawn = boxes.map((raw, index) => {
      const box = normalizeBox(raw)
      const color = colorOf(box.tag)
      const rect = boxToRect(box, { stroke: color, strokeWidth: STROKE })
      rect.set({ hoverCursor: 'pointer', visible: this.boxesVisible })
      const label = new FabricText(box.tag, {
        fontFamily: FONT,
        fontSize: LABEL_SIZE,
        fill: textOn(color),
        backgroundColor: color,
        padding: 0,
        left: box.x1,
        top: box.y1,
        originX: 'left',
        originY: 'bottom',
        selectable: false,
        evented: false,
        objectCaching: false,
        visible: this.boxesVisible
      })
      this.canvas.add(rect, label)
      return { box, rect, label, flagged: flagged.has(index) }
    })
    this.rescaleDecorations()
    this.events.onDrawn(key, this.canvas.getObjects('rect').length)
  }

  showBoxes(visible: boolean): void {
    this.boxesVisible = visible
    for (const d of this.drawn) {
      d.rect.visible = visible
      d.label.visible = visible
    }
    this.canvas.requestRenderAll()
  }

  /** Highlights a box (from the list beside the canvas, or the pointer). */
  setHover(index: number | null, fromCanvas = false): void {
    if (index === this.hovered) return
    this.hovered = index
    this.rescaleDecorations()
    if (fromCanvas) this.events.onHover(index)
  }

  fit(): void {
    const size = this.size
    if (!size) return
    const { width, height } = this.canvas
    const pad = 16
    const zoom = Math.min((width - pad * 2) / size.width, (height - pad * 2) / size.height)
    const z = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, zoom))
    this.canvas.setViewportTransform([
      z,
      0,
      0,
      z,
      (width - size.width * z) / 2,
      (height - size.height * z) / 2
    ])
    this.userMoved = false
    this.rescaleDecorations()
  }

  zoomBy(factor: number, at?: Point): void {
    const zoom = Math.max(MIN_ZOOM, Math.min(MAX_ZOOM, this.canvas.getZoom() * factor))
    this.canvas.zoomToPoint(at ?? new Point(this.canvas.width / 2, this.canvas.height / 2), zoom)
    this.userMoved = true
    this.rescaleDecorations()
  }

  dispose(): void {
    this.loadAbort?.abort()
    this.resize.disconnect()
    const wrapper = this.element.parentElement
    void this.canvas.dispose().then(() => {
      if (wrapper && wrapper !== this.host && wrapper.parentElement === this.host) wrapper.remove()
      else this.element.remove()
    })
  }

  private fitHost(): void {
    const width = Math.max(1, this.host.clientWidth)
    const height = Math.max(1, this.host.clientHeight)
    if (width === this.canvas.width && height === this.canvas.height) return
    this.canvas.setDimensions({ width, height })
    if (this.userMoved) this.canvas.requestRenderAll()
    else this.fit()
  }

  private rescaleDecorations(): void {
    const zoom = this.canvas.getZoom()
    this.drawn.forEach((d, i) => {
      const hot = i === this.hovered
      d.rect.set({
        strokeWidth: (hot ? HOVER_STROKE : STROKE) / zoom,
        strokeDashArray: d.flagged ? [6 / zoom, 4 / zoom] : null,
        fill: hot ? `${d.rect.stroke as string}33` : 'transparent'
      })
      d.rect.setCoords()
      // Inside the box when there is no room above it.
      const above = d.box.y1 * zoom >= LABEL_SIZE + 2
      d.label.set({
        scaleX: 1 / zoom,
        scaleY: 1 / zoom,
        originY: above ? 'bottom' : 'top',
        fontWeight: hot ? 'bold' : 'normal'
      })
      d.label.setCoords()
    })
    this.canvas.requestRenderAll()
    this.events.onZoom(zoom)
  }

  private onWheel = (opt: TPointerEventInfo<WheelEvent>): void => {
    opt.e.preventDefault()
    opt.e.stopPropagation()
    this.zoomBy(0.999 ** opt.e.deltaY, opt.viewportPoint)
  }

  private onDown = (opt: TPointerEventInfo): void => {
    this.drag = { x: opt.viewportPoint.x, y: opt.viewportPoint.y }
    this.canvas.setCursor('grabbing')
  }

  private onMove = (opt: TPointerEventInfo): void => {
    if (!this.drag) return
    const vpt = this.canvas.viewportTransform
    vpt[4] += opt.viewportPoint.x - this.drag.x
    vpt[5] += opt.viewportPoint.y - this.drag.y
    this.drag = { x: opt.viewportPoint.x, y: opt.viewportPoint.y }
    this.userMoved = true
    this.canvas.requestRenderAll()
  }

  private onUp = (): void => {
    if (!this.drag) return
    this.drag = null
    // Recompute object coordinates for hit-testing at the new position.
    this.canvas.setViewportTransform(this.canvas.viewportTransform)
    this.canvas.setCursor('grab')
  }
}
