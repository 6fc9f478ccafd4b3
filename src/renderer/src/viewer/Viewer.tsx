import {
  useCallback,
  useEffect,
  useId,
  useImperativeHandle,
  useRef,
  useState,
  type ReactNode,
  type Ref
} from 'react'
import { useTranslation } from 'react-i18next'
import type { Sample } from '../../../shared/domain'
import { TagChip } from '../components/TagChip'
import type { JobKey } from '../data/types'
import type { SampleProblems } from '../offline'
import { currentLocale } from '../i18n'
import { formatBytes, formatPercent } from '../i18n/format'
import type { ColorOf } from '../palette'
import { platform } from '../platform'
import type { Action } from '../shortcuts'
import { BoxCanvas } from './BoxCanvas'
import { BoxList } from './BoxList'
import { LabelPicker } from './LabelPicker'
import { useBoxEditor, type EditBoxes } from './useBoxEditor'

export interface ViewerHandle {
  fit(): void
  zoom(by: 1 | -1): void
  /** A key for the box editor: true when it took it (Escape, Delete, the box keys). */
  editKey(action: Action): boolean
}

interface Props {
  /** Review controls for the image (verdicts, pending changes), beside it. */
  review?: ReactNode
  job: JobKey
  sample: Sample | undefined
  index: number
  total: number
  colorOf: ColorOf
  detection: boolean
  showBoxes: boolean
  handle: Ref<ViewerHandle>
  onToggleBoxes(): void
  onStep(by: 1 | -1): void
  onClose(): void
  onDelete(): void
  /** The problem finder's findings on this image's boxes (a job held whole), if any. */
  problems?: SampleProblems | null
  /** Boxes can be edited (detection images only); without it the viewer only shows them. */
  editable?: boolean
  /** Label names the label picker offers (the job's); without them, the image's own tags. */
  labels?: string[]
  /**
   * An edit of the image's boxes: the whole new list and what changed. The viewer keeps
   * nothing: it shows the edit once the parent passes the list back as `sample.boxes`.
   */
  onEditBoxes?: EditBoxes
  /** Near-duplicates shown: whether this image is the one its group keeps, and marking it so. */
  keep?: { kept: boolean; keep(): void } | null
}

/** One image large, in a fabric.js canvas with its boxes, and everything known about it beside. */
export function Viewer(props: Props) {
  const { t } = useTranslation()
  const locale = currentLocale()
  const [canvas, setCanvas] = useState<BoxCanvas | null>(null)
  const [hovered, setHovered] = useState<number | null>(null)
  const [zoom, setZoom] = useState(1)
  const [imageState, setImageState] = useState<'loading' | 'ready' | 'failed'>('loading')
  const [drawn, setDrawn] = useState<{ sampleId: string; count: number } | null>(null)
  const dialog = useRef<HTMLDivElement>(null)
  const ids = useId()
  const { sample, job, colorOf } = props
  const editor = useBoxEditor({
    canvas,
    sample,
    on: props.editable === true && props.detection && props.showBoxes,
    labels: props.labels,
    onEditBoxes: props.onEditBoxes
  })

  // The canvas lives as long as its host element (a callback ref with cleanup, React 19).
  const host = useCallback(
    (element: HTMLDivElement | null) => {
      if (!element) return
      const c = new BoxCanvas(element, {
        onHover: setHovered,
        onZoom: setZoom,
        onImage: setImageState,
        onDrawn: (key, count) => setDrawn({ sampleId: key, count })
      })
      setCanvas(c)
      return () => {
        c.dispose()
        setCanvas(null)
      }
    },
    [setHovered, setZoom, setImageState, setDrawn, setCanvas]
  )

  useEffect(() => {
    dialog.current?.focus()
  }, [])

  useImperativeHandle(
    props.handle,
    () => ({
      fit: () => canvas?.fit(),
      zoom: (by) => canvas?.zoomBy(by > 0 ? 1.25 : 0.8),
      editKey: (action) => editor.key(action)
    }),
    [canvas, editor]
  )

  const sampleId = sample?.id
  const size = sample?.size ?? null
  // Offline without the full image downloaded: the thumbnail, scaled to the image's size.
  const [thumbFor, setThumbFor] = useState<string | null>(null)
  const variant = thumbFor !== null && thumbFor === sampleId ? 'thumb' : 'full'
  useEffect(() => {
    if (!canvas || !sampleId) return
    const url = (v: 'thumb' | 'full') => platform.imageUrl(job.connectionId, job.jobId, sampleId, v)
    void canvas.setImage(url('full'), size, url('thumb')).then((shown) => {
      if (shown !== 'replaced') setThumbFor(shown === 'fallback' ? sampleId : null)
    })
    // size is part of the sample: a new id brings it along.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [canvas, sampleId, job.connectionId, job.jobId])

  const boxes = sample?.boxes
  const flagged = props.problems?.boxes
  useEffect(() => {
    if (!canvas || !sampleId || !boxes) return
    canvas.setBoxes(sampleId, boxes, colorOf, new Set(flagged?.map((b) => b.index)))
  }, [canvas, sampleId, boxes, colorOf, flagged])
  const problemsOfBox = (index: number) => flagged?.find((b) => b.index === index)?.kinds ?? []

  useEffect(() => {
    canvas?.showBoxes(props.showBoxes)
  }, [canvas, props.showBoxes])

  const drawnCount = drawn && drawn.sampleId === sampleId ? drawn.count : null
  const highlight = (index: number | null) => {
    setHovered(index)
    canvas?.setHover(index)
  }
  // Keys go back to the viewer when the label picker closes, unless a click took the focus.
  const refocus = () => {
    const focused = document.activeElement
    if (!focused || focused === document.body || focused.closest('.label-picker'))
      dialog.current?.focus()
  }
  const name = sample?.name ?? ''
  return (
    <div
      className="viewer"
      role="dialog"
      aria-modal="true"
      aria-label={t('viewer.label', { name })}
      tabIndex={-1}
      ref={dialog}
      data-testid="viewer"
    >
      <div className="viewer-stage">
        <div
          className="viewer-canvas"
          ref={host}
          role="img"
          aria-label={t('viewer.canvas', { name })}
          aria-busy={imageState === 'loading'}
        />
        {variant === 'thumb' && imageState === 'ready' && (
          <p className="viewer-thumb-note" role="note">
            {t('offline.thumbOnly')}
          </p>
        )}
        {editor.drawing && (
          <p className="viewer-draw-note" role="status">
            {t('viewer.drawing')}
          </p>
        )}
        {sample && editor.picking !== null && (
          <LabelPicker
            labels={editor.choices}
            current={sample.boxes[editor.picking].tag}
            colorOf={colorOf}
            onPick={(label) => {
              if (editor.picking !== null) editor.relabel(editor.picking, label)
              refocus()
            }}
            onCancel={() => {
              editor.closePicker()
              refocus()
            }}
          />
        )}
        {imageState === 'failed' && (
          <p className="viewer-failed" role="alert">
            {t('viewer.imageFailed')}
          </p>
        )}
        <div className="viewer-controls">
          <button
            type="button"
            className="icon-button"
            aria-label={t('viewer.previous')}
            title={t('viewer.previous')}
            onClick={() => props.onStep(-1)}
            disabled={props.index <= 0}
          >
            ‹
          </button>
          <span className="viewer-position">
            {t('viewer.position', { index: props.index + 1, total: props.total })}
          </span>
          <button
            type="button"
            className="icon-button"
            aria-label={t('viewer.next')}
            title={t('viewer.next')}
            onClick={() => props.onStep(1)}
            disabled={props.index >= props.total - 1}
          >
            ›
          </button>
          <span className="spacer" />
          <button
            type="button"
            className="icon-button"
            aria-label={t('viewer.zoomOut')}
            title={t('viewer.zoomOut')}
            onClick={() => canvas?.zoomBy(0.8)}
          >
            −
          </button>
          <span className="viewer-zoom" aria-live="off">
            {t('viewer.zoom', { percent: formatPercent(zoom, locale) })}
          </span>
          <button
            type="button"
            className="icon-button"
            aria-label={t('viewer.zoomIn')}
            title={t('viewer.zoomIn')}
            onClick={() => canvas?.zoomBy(1.25)}
          >
            +
          </button>
          <button type="button" onClick={() => canvas?.fit()}>
            {t('viewer.fit')}
          </button>
          {editor.on && (
            <button type="button" aria-pressed={editor.drawing} onClick={editor.toggleDrawing}>
              {t('viewer.draw')}
            </button>
          )}
          {props.detection && (
            <label className="check">
              <input type="checkbox" checked={props.showBoxes} onChange={props.onToggleBoxes} />
              {t('viewer.boxes')}
            </label>
          )}
        </div>
      </div>
      <aside className="viewer-side">
        <div className="viewer-side-head">
          <h2 lang="">{name}</h2>
          <button
            type="button"
            className="icon-button"
            aria-label={t('viewer.close')}
            onClick={props.onClose}
          >
            ×
          </button>
        </div>
        {props.review}
        <p className="muted">
          {size
            ? t('viewer.size', { width: size.width, height: size.height })
            : t('viewer.sizeUnknown')}
        </p>
        {sample?.bytes != null && (
          <p className="muted">
            {t('viewer.fileSize', { size: formatBytes(sample.bytes, locale) })}
          </p>
        )}
        {props.detection && (
          <p
            className="box-count"
            data-testid="box-count"
            data-drawn={drawnCount ?? undefined}
            aria-live="polite"
          >
            {drawnCount === null
              ? t('common.loading')
              : t('viewer.boxCount', { count: drawnCount })}
          </p>
        )}
        <h3 id={`${ids}-tags`}>{t('viewer.tags')}</h3>
        {sample && sample.tags.length === 0 && <p className="muted">{t('viewer.noTags')}</p>}
        <ul className="viewer-tags" data-testid="viewer-tags" aria-labelledby={`${ids}-tags`}>
          {sample?.tags.map((tag) => (
            <li key={tag}>
              <TagChip tag={tag} color={colorOf(tag)} testId="viewer-tag" />
            </li>
          ))}
        </ul>
        {props.detection && sample && sample.boxes.length > 0 && (
          <>
            <h3 id={`${ids}-boxes`}>{t('viewer.boxList')}</h3>
            <BoxList
              boxes={sample.boxes}
              colorOf={colorOf}
              labelledBy={`${ids}-boxes`}
              hovered={hovered}
              problemsOf={problemsOfBox}
              onHighlight={highlight}
              editor={editor}
            />
          </>
        )}
        <div className="actions">
          {props.keep && (
            <button
              type="button"
              aria-pressed={props.keep.kept}
              disabled={props.keep.kept}
              onClick={props.keep.keep}
            >
              {props.keep.kept ? t('viewer.kept') : t('viewer.keepThis')}
            </button>
          )}
          <button type="button" className="danger" onClick={props.onDelete}>
            {t('viewer.delete')}
          </button>
        </div>
      </aside>
    </div>
  )
}
