import {
  Canvas,
  FabricImage,
  FabricText,
  Point,
  Rect,
  type FabricObject,
  type ModifiedEvent,
  type TPointerEventInfo
} from 'fabric'
import type { Box, ImageSize } from '../../../shared/domain'
import type { ColorOf } from '../palette'
import { textOn } from '../palette'
import {
  boxToRect,
  boxToRectGeometry,
  fitBox,
  normalizeBox,
  placeBox,
  rectToBox,
  sameBox,
  type Bounds
} from './boxes'
import { log } from '../log'
import { BoxSketch, CLICK_SLOP } from './BoxSketch'

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

/** What the canvas reports while its boxes can be edited (`setEditing`). */
export interface BoxEditEvents {
  /** A box was pressed (its index), or the image beside the boxes clicked (null). */
  onSelect(index: number | null): void
  /** A box dragged (`move`) or its handles pulled (`resize`): whole pixels, inside the image. */
  onChange(index: number, box: Box, kind: 'move' | 'resize'): void
  /** A box drawn in draw mode, whole pixels inside the image, with no label yet (`tag` ''). */
  onDraw(box: Box): void
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
  private drag: { x: number; y: number; travel: number } | null = null
  private loadAbort: AbortController | null = null
  private editing: BoxEditEvents | null = null
  private selected: number | null = null
  private drawing = false
  /** The box being drawn in draw mode. */
  private sketch: BoxSketch | null = null

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
      backgroundColor: '#0b0d10',
      // Boxes are not photos: a corner handle stretches freely, Shift keeps the proportions.
      uniformScaling: false
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
    this.canvas.on('object:moving', ({ target }) => this.followLabel(target))
    this.canvas.on('object:scaling', ({ target }) => this.followLabel(target))
    this.canvas.on('object:modified', this.onModified)
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
      rect.set({ visible: this.boxesVisible, ...EDIT_CONTROLS })
      rect.setControlsVisibility({ mtr: false })
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
    this.applyEditing()
    this.events.onDrawn(key, this.canvas.getObjects('rect').length)
  }

  showBoxes(visible: boolean): void {
    this.boxesVisible = visible
    for (const d of this.drawn) {
      d.rect.visible = visible
      d.label.visible = visible
    }
    this.activate()
    this.canvas.requestRenderAll()
  }

  /**
   * Boxes become editable (`events`) or go back to being only shown (null): the selected box
   * takes fabric's handles (corners and edges, no rotation) and can be dragged.
   */
  setEditing(events: BoxEditEvents | null): void {
    this.editing = events
    this.applyEditing()
  }

  /** The box shown selected (the viewer owns the choice; the canvas reports presses). */
  select(index: number | null): void {
    if (index === this.selected) return
    this.selected = index
    this.activate()
    this.rescaleDecorations()
  }

  /** Draw mode: a drag anywhere on the image draws a box instead of panning or moving one. */
  setDrawing(on: boolean): void {
    if (on === this.drawing) return
    this.drawing = on
    if (!on) this.dropSketch()
    this.applyEditing()
    this.canvas.defaultCursor = on ? 'crosshair' : 'grab'
    this.canvas.setCursor(this.canvas.defaultCursor)
  }

  /** The image's size in pixels, once known (from the sample or the loaded file). */
  imageSize(): Bounds {
    return this.size ? { ...this.size } : null
  }

  /** What the view shows now, in image pixels (it may reach beyond the image). */
  viewArea(): Box {
    const [zoom, , , , dx, dy] = this.canvas.viewportTransform
    return {
      tag: '',
      x1: -dx / zoom,
      y1: -dy / zoom,
      x2: (this.canvas.width - dx) / zoom,
      y2: (this.canvas.height - dy) / zoom
    }
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

  private applyEditing(): void {
    const editing = this.editing !== null
    for (const d of this.drawn)
      d.rect.set({
        selectable: editing,
        hasControls: editing,
        evented: !(editing && this.drawing),
        hoverCursor: editing ? 'move' : 'pointer'
      })
    if (!editing || !this.drawing) this.dropSketch()
    this.activate()
    this.rescaleDecorations()
  }

  /** fabric's active object follows the selection (it lets go of it on a press beside it). */
  private activate(): void {
    const d = this.selected === null ? undefined : this.drawn[this.selected]
    if (this.editing && d && this.boxesVisible && !this.drawing) {
      if (this.canvas.getActiveObject() !== d.rect) this.canvas.setActiveObject(d.rect)
    } else if (this.canvas.getActiveObject()) this.canvas.discardActiveObject()
    this.canvas.requestRenderAll()
  }

  private indexOf(target: FabricObject | undefined): number {
    return target ? this.drawn.findIndex((d) => d.rect === target) : -1
  }

  private followLabel(target: FabricObject): void {
    const d = this.drawn[this.indexOf(target)]
    if (!d) return
    const box = rectToBox(d.rect, d.box.tag)
    d.label.set({ left: box.x1, top: box.y1 })
    d.label.setCoords()
  }

  /** A drag or a pull of a handle ended: the box as the service will keep it, then reported. */
  private onModified = ({ target, action }: ModifiedEvent): void => {
    const index = this.indexOf(target)
    const d = this.drawn[index]
    if (!d || !this.editing) return
    const read = rectToBox(d.rect, d.box.tag)
    const kind = action === 'drag' ? 'move' : 'resize'
    const box = kind === 'move' ? placeBox(read, this.size) : fitBox(read, this.size)
    d.rect.set({ ...boxToRectGeometry(box), scaleX: 1, scaleY: 1 })
    d.rect.setCoords()
    d.label.set({ left: box.x1, top: box.y1 })
    const changed = !sameBox(box, d.box)
    d.box = box
    this.rescaleDecorations()
    if (changed) this.editing.onChange(index, box, kind)
  }

  private dropSketch(): void {
    this.sketch?.drop()
    this.sketch = null
  }

  private rescaleDecorations(): void {
    const zoom = this.canvas.getZoom()
    this.drawn.forEach((d, i) => {
      const hot = i === this.hovered || i === this.selected
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
    if (this.editing && this.drawing) {
      this.dropSketch()
      this.sketch = new BoxSketch(this.canvas, this.size, opt, STROKE)
      return
    }
    const index = this.indexOf(opt.target)
    if (this.editing && opt.transform && index >= 0) {
      // fabric took the press: the box moves, or a handle pulls an edge.
      if (index !== this.selected) {
        this.selected = index
        this.rescaleDecorations()
        this.editing.onSelect(index)
      }
      return
    }
    this.drag = { x: opt.viewportPoint.x, y: opt.viewportPoint.y, travel: 0 }
    this.canvas.setCursor('grabbing')
    // Panning keeps the selected box selected (fabric dropped it on this press).
    this.activate()
  }

  private onMove = (opt: TPointerEventInfo): void => {
    if (this.sketch) return this.sketch.move(opt.scenePoint)
    if (!this.drag) return
    const vpt = this.canvas.viewportTransform
    const dx = opt.viewportPoint.x - this.drag.x
    const dy = opt.viewportPoint.y - this.drag.y
    vpt[4] += dx
    vpt[5] += dy
    this.drag = {
      x: opt.viewportPoint.x,
      y: opt.viewportPoint.y,
      travel: this.drag.travel + Math.hypot(dx, dy)
    }
    this.userMoved = true
    this.canvas.requestRenderAll()
  }

  private onUp = (opt: TPointerEventInfo): void => {
    if (this.sketch) {
      const box = this.sketch.end(opt)
      this.sketch = null
      if (box) this.editing?.onDraw(box)
      return
    }
    if (!this.drag) return
    const click = this.drag.travel < CLICK_SLOP
    this.drag = null
    // Recompute object coordinates for hit-testing at the new position.
    this.canvas.setViewportTransform(this.canvas.viewportTransform)
    this.canvas.setCursor('grab')
    // A click beside the boxes lets go of the selected one; a pan does not.
    if (click && this.editing && this.selected !== null) {
      this.select(null)
      this.editing.onSelect(null)
    }
  }
}

/** Handles on the selected box: corners and edges, never rotated, skewed or turned inside out. */
const EDIT_CONTROLS = {
  lockRotation: true,
  lockSkewingX: true,
  lockSkewingY: true,
  lockScalingFlip: true,
  hasBorders: false,
  strokeUniform: true,
  transparentCorners: false,
  cornerColor: '#ffffff',
  cornerStrokeColor: '#0b0d10',
  cornerSize: 9,
  padding: 0
} as const
