import {
  useCallback,
  useEffect,
  useImperativeHandle,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
  type CSSProperties,
  type MouseEvent,
  type Ref
} from 'react'
import { useTranslation } from 'react-i18next'
import type { JobKey } from '../data/types'
import type { ColorOf } from '../palette'
import { platform } from '../platform'
import { THEME } from '../theme'
import {
  type GridLayout,
  computeLayout,
  indexRange,
  pagesToFetch,
  rowWindow,
  scrollToRow,
  type RowWindow
} from './layout'
import type { PageStore } from './pageStore'
import { Tile } from './Tile'
import { tileTexts } from './tileTexts'

/** Faster than this (px per ms) counts as flinging: placeholders instead of downloads. */
const FAST = 4
const SETTLE_MS = 150

export interface GridHandle {
  /** Indices on screen now. */
  visibleRange(): [number, number]
  /** Scrolls the active tile into view and focuses the grid. */
  reveal(index: number): void
  focus(): void
  columns(): number
}

interface Props {
  label: string
  store: PageStore
  job: JobKey
  total: number
  colorOf: ColorOf
  showBoxes: boolean
  selected: ReadonlySet<string>
  active: number
  handle: Ref<GridHandle>
  onTileClick(index: number, event: MouseEvent): void
  onTileOpen(index: number): void
}

interface Viewport {
  width: number
  height: number
  scrollTop: number
  direction: 1 | -1
  fast: boolean
}

/** Tiles the window can hold at most: visible rows (+1 partial), overscan both ways. */
function poolSize(layout: GridLayout, viewportHeight: number, overscan: number): number {
  const visibleRows = Math.ceil(viewportHeight / layout.rowHeight) + 1
  const extra = Math.ceil((viewportHeight * overscan) / layout.rowHeight)
  return (visibleRows + 2 * extra + 1) * layout.columns
}

/** Empty tiles as a repeating background (a data: SVG, which the CSP allows as an image). */
function placeholderPattern(layout: GridLayout): CSSProperties {
  const step = layout.tile + layout.gap
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${step}" height="${step}"><rect width="${layout.tile}" height="${layout.tile}" rx="8" fill="${THEME.panel}"/></svg>`
  return {
    backgroundImage: `url("data:image/svg+xml,${encodeURIComponent(svg)}")`,
    backgroundSize: `${step}px ${step}px`,
    backgroundPosition: `${layout.gap}px ${layout.gap}px`,
    width: layout.gap + layout.columns * step
  }
}

function sameWindow(a: RowWindow, b: RowWindow): boolean {
  return (
    a.first === b.first &&
    a.last === b.last &&
    a.firstVisible === b.firstVisible &&
    a.lastVisible === b.lastVisible
  )
}

/**
 * A virtualized grid of square tiles: only about three viewports of rows are in the DOM, pages
 * are fetched ahead of the scroll direction, and a fling shows placeholders until it settles.
 * DOM focus stays on the listbox; the active tile is its aria-activedescendant.
 */
export function ImageGrid(props: Props) {
  const { store, total, job } = props
  const { t, i18n } = useTranslation()
  const texts = useMemo(() => tileTexts(t, i18n.language), [t, i18n.language])
  const scroller = useRef<HTMLDivElement>(null)
  const [viewport, setViewport] = useState<Viewport>({
    width: 0,
    height: 0,
    scrollTop: 0,
    direction: 1,
    fast: false
  })
  const motion = useRef({ top: 0, time: 0, settle: 0 as ReturnType<typeof setTimeout> | 0 })
  // The first frames render only what is on screen, so its thumbnails come first; the overscan
  // joins once the browser is idle.
  const [overscan, setOverscan] = useState(0)
  const layout = computeLayout(viewport.width, total)
  const win = rowWindow(layout, viewport.scrollTop, viewport.height, overscan)

  useEffect(() => {
    const timer = setTimeout(() => setOverscan(1), 250)
    return () => clearTimeout(timer)
  }, [])

  useLayoutEffect(() => {
    const el = scroller.current
    if (!el) return
    const measure = () =>
      setViewport((v) =>
        v.width === el.clientWidth && v.height === el.clientHeight
          ? v
          : { ...v, width: el.clientWidth, height: el.clientHeight }
      )
    measure()
    const observer = new ResizeObserver(measure)
    observer.observe(el)
    return () => observer.disconnect()
  }, [])

  const onScroll = useCallback(() => {
    const el = scroller.current
    if (!el) return
    const m = motion.current
    const now = performance.now()
    const top = el.scrollTop
    const speed = Math.abs(top - m.top) / Math.max(1, now - m.time)
    const direction: 1 | -1 = top >= m.top ? 1 : -1
    m.top = top
    m.time = now
    const fast = speed > FAST
    clearTimeout(m.settle)
    m.settle = setTimeout(() => setViewport((v) => (v.fast ? { ...v, fast: false } : v)), SETTLE_MS)
    setViewport((v) => {
      const l = computeLayout(v.width, total)
      const next = {
        ...v,
        scrollTop: top,
        direction,
        fast: v.fast ? fast || speed > FAST / 4 : fast
      }
      // Re-render only when the rows on screen or the fling state change.
      return sameWindow(rowWindow(l, v.scrollTop, v.height), rowWindow(l, top, v.height)) &&
        next.fast === v.fast &&
        next.direction === v.direction
        ? v
        : next
    })
  }, [total])

  useEffect(() => () => clearTimeout(motion.current.settle), [])

  // Fetch what is on screen, then ahead in the scroll direction; nothing while flinging (the
  // pages flown past are never looked at), what is on screen as soon as it slows down.
  useEffect(() => {
    if (viewport.width === 0 || total === 0) return
    if (viewport.fast) store.want([])
    else store.want(pagesToFetch(layout, total, win, viewport.direction, store.options.perPage))
    // layout and win derive from viewport and total.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [store, total, viewport, store.version])

  useImperativeHandle(
    props.handle,
    () => ({
      visibleRange: () => indexRange(layout, total, win.firstVisible, win.lastVisible),
      columns: () => layout.columns,
      focus: () => scroller.current?.focus(),
      reveal: (index: number) => {
        const el = scroller.current
        if (!el) return
        const row = Math.floor(index / layout.columns)
        const top = scrollToRow(layout, row, el.scrollTop, el.clientHeight)
        if (top !== null) el.scrollTop = top
        if (document.activeElement !== el) el.focus({ preventScroll: true })
      }
    }),
    [layout, total, win]
  )

  const tileAt = (target: EventTarget): number | null => {
    const tile = (target as HTMLElement).closest<HTMLElement>('[data-index]')
    return tile ? Number(tile.dataset.index) : null
  }

  // While flinging there are no tiles at all, only a painted pattern of empty ones: no DOM work
  // per frame. Tiles come back when the scroll slows or settles.
  const [first, last] = viewport.fast ? [0, -1] : indexRange(layout, total, win.first, win.last)
  // DOM recycling: a tile's key is its slot (index mod the pool size), and slots render in a
  // fixed order, so scrolling re-fills the same elements instead of creating and moving them.
  const pool = poolSize(layout, viewport.height, overscan)
  const tiles = []
  for (let slot = 0; slot < pool; slot++) {
    const i = first + ((((slot - first) % pool) + pool) % pool)
    if (i > last) continue
    const sample = store.sampleAt(i)
    const row = Math.floor(i / layout.columns)
    const col = i % layout.columns
    tiles.push(
      <Tile
        key={slot}
        index={i}
        total={total}
        sample={sample}
        url={sample ? platform.imageUrl(job.connectionId, job.jobId, sample.id, 'thumb') : null}
        x={layout.gap + col * (layout.tile + layout.gap)}
        y={layout.gap + row * layout.rowHeight}
        size={layout.tile}
        selected={sample ? props.selected.has(sample.id) : false}
        active={i === props.active}
        settled={!viewport.fast}
        visible={row >= win.firstVisible && row <= win.lastVisible}
        showBoxes={props.showBoxes}
        colorOf={props.colorOf}
        domId={`tile-${i}`}
        texts={texts}
      />
    )
  }
  const activeRendered = props.active >= first && props.active <= last

  return (
    <div
      ref={scroller}
      className="grid-scroller"
      role="listbox"
      aria-multiselectable="true"
      aria-label={props.label}
      aria-activedescendant={activeRendered ? `tile-${props.active}` : undefined}
      tabIndex={0}
      data-testid="grid"
      onScroll={onScroll}
      onClick={(event) => {
        const index = tileAt(event.target)
        if (index !== null) props.onTileClick(index, event)
      }}
      onDoubleClick={(event) => {
        const index = tileAt(event.target)
        if (index !== null) props.onTileOpen(index)
      }}
    >
      <div
        className="grid-sizer"
        role="presentation"
        style={
          viewport.fast
            ? { height: layout.height, ...placeholderPattern(layout) }
            : { height: layout.height }
        }
      >
        {tiles}
      </div>
    </div>
  )
}
