import { useEffect, useEffectEvent, useState } from 'react'
import type { Box, Sample } from '../../../shared/domain'
import type { Action } from '../shortcuts'
import type { BoxCanvas } from './BoxCanvas'
import { boxInView, cycleBox, growBox, moveBox, sameBox, type BoxChange } from './boxes'

export type EditBoxes = (sampleId: string, boxes: Box[], change: BoxChange) => void

/**
 * The viewer's box editing: which box is selected, draw mode, the label picker. Nothing is
 * kept here: every edit goes to `onEditBoxes` as the image's whole new box list, and the parent
 * passes it back as `sample.boxes`; the selection keeps its place across that round trip.
 */
export interface BoxEditor {
  /** Editing is possible now (editable, a detection image, boxes shown). */
  on: boolean
  selected: number | null
  drawing: boolean
  /** The box whose label the picker is choosing, if it is open. */
  picking: number | null
  /** Names the picker offers: the job's labels, else the tags on this image. */
  choices: string[]
  select(index: number | null): void
  openPicker(index: number): void
  closePicker(): void
  relabel(index: number, tag: string): void
  remove(index: number): void
  toggleDrawing(): void
  /** A viewer key the editor takes (true), or leaves to the review pane (false). */
  key(action: Action): boolean
}

interface Options {
  canvas: BoxCanvas | null
  sample: Sample | undefined
  on: boolean
  labels: readonly string[] | undefined
  onEditBoxes: EditBoxes | undefined
}

/** A place in one image's box list; it means nothing on another image. */
type Mark = { sampleId: string; index: number } | null

export function useBoxEditor({ canvas, sample, on, labels, onEditBoxes }: Options): BoxEditor {
  const [selection, setSelection] = useState<Mark>(null)
  const [picker, setPicker] = useState<Mark>(null)
  const [drawingFor, setDrawingFor] = useState<string | null>(null)
  const [lastLabel, setLastLabel] = useState<string | null>(null)
  const sampleId = sample?.id
  const boxes = sample?.boxes ?? []
  const here = (mark: Mark) =>
    on && mark !== null && mark.sampleId === sampleId && mark.index < boxes.length
      ? mark.index
      : null
  const selected = here(selection)
  const picking = here(picker)
  const drawing = on && drawingFor !== null && drawingFor === sampleId
  const choices = labels ? [...labels] : [...new Set(boxes.map((b) => b.tag))]

  const select = (index: number | null) =>
    setSelection(index === null || sampleId === undefined ? null : { sampleId, index })

  const edit = (next: Box[], change: BoxChange, selectAfter: number | null) => {
    if (sampleId === undefined) return
    onEditBoxes?.(sampleId, next, change)
    select(selectAfter)
  }
  const replace = (index: number, box: Box, kind: BoxChange['kind']) => {
    if (sameBox(box, boxes[index])) return
    edit(boxes.with(index, box), { kind, index }, index)
  }
  const remove = (index: number) => {
    setPicker(null)
    const next = boxes.toSpliced(index, 1)
    edit(next, { kind: 'delete', index }, index < next.length ? index : null)
  }
  const relabel = (index: number, tag: string) => {
    setPicker(null)
    setLastLabel(tag)
    replace(index, { ...boxes[index], tag }, 'relabel')
  }
  /** A new box takes the label last given, else the selected box's, else the first offered. */
  const labelForNew = () =>
    lastLabel ?? (selected !== null ? boxes[selected].tag : null) ?? choices[0] ?? null
  const add = (box: Box) => {
    const tag = labelForNew()
    if (tag === null) return
    setLastLabel(tag)
    setDrawingFor(null)
    edit([...boxes, { ...box, tag }], { kind: 'add', index: boxes.length }, boxes.length)
  }
  const toggleDrawing = () => {
    if (drawing) return setDrawingFor(null)
    if (sampleId === undefined || labelForNew() === null) return
    // Remember the selected box's label now: drawing lets go of the selection.
    setLastLabel(labelForNew())
    setSelection(null)
    setPicker(null)
    setDrawingFor(sampleId)
  }

  const key = (action: Action): boolean => {
    if (!on) return false
    const box = selected === null ? null : boxes[selected]
    const bounds = canvas?.imageSize() ?? null
    switch (action.kind) {
      case 'pickBox':
        select(cycleBox(selected, action.by, boxes.length))
        return true
      case 'moveBox':
        if (box && selected !== null)
          replace(selected, moveBox(box, action.dx, action.dy, bounds), 'move')
        return true
      case 'growBox':
        if (box && selected !== null)
          replace(selected, growBox(box, action.dx, action.dy, bounds), 'resize')
        return true
      case 'relabelBox':
        if (selected !== null && sampleId !== undefined) setPicker({ sampleId, index: selected })
        return true
      case 'drawBox':
        toggleDrawing()
        return true
      case 'placeBox':
        if (!drawing || !canvas) return false
        add(boxInView(canvas.viewArea(), bounds, ''))
        return true
      case 'back':
        if (picking !== null) setPicker(null)
        else if (drawing) setDrawingFor(null)
        else if (selected !== null) select(null)
        else return false
        return true
      case 'delete':
        if (selected === null) return false
        remove(selected)
        return true
      default:
        return false
    }
  }

  const onCanvasSelect = useEffectEvent((index: number | null) => select(index))
  const onCanvasChange = useEffectEvent((index: number, box: Box, kind: 'move' | 'resize') =>
    replace(index, box, kind)
  )
  const onCanvasDraw = useEffectEvent((box: Box) => add(box))
  useEffect(() => {
    if (!canvas) return
    canvas.setEditing(
      on
        ? {
            onSelect: (index) => onCanvasSelect(index),
            onChange: (index, box, kind) => onCanvasChange(index, box, kind),
            onDraw: (box) => onCanvasDraw(box)
          }
        : null
    )
  }, [canvas, on])
  useEffect(() => canvas?.select(selected), [canvas, selected])
  useEffect(() => canvas?.setDrawing(drawing), [canvas, drawing])

  return {
    on,
    selected,
    drawing,
    picking,
    choices,
    select,
    openPicker: (index) => sampleId !== undefined && setPicker({ sampleId, index }),
    closePicker: () => setPicker(null),
    relabel,
    remove,
    toggleDrawing,
    key
  }
}
