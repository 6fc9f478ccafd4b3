/** Grid geometry as pure arithmetic: square tiles in rows, and which of them are near the viewport. */
export interface GridLayout {
  columns: number
  tile: number
  gap: number
  rowHeight: number
  rows: number
  height: number
}

export const MIN_TILE = 168
export const GAP = 8

export function computeLayout(
  width: number,
  total: number,
  minTile = MIN_TILE,
  gap = GAP
): GridLayout {
  const usable = Math.max(0, width - gap)
  const columns = Math.max(1, Math.floor(usable / (minTile + gap)))
  const tile = Math.max(1, Math.floor(usable / columns) - gap)
  const rowHeight = tile + gap
  const rows = Math.ceil(total / columns)
  return { columns, tile, gap, rowHeight, rows, height: rows * rowHeight + gap }
}

export interface RowWindow {
  /** Rows on screen. */
  firstVisible: number
  lastVisible: number
  /** Rows rendered: about one viewport above and one below the visible rows (3x in all). */
  first: number
  last: number
}

export function rowWindow(
  layout: GridLayout,
  scrollTop: number,
  viewportHeight: number,
  overscanViewports = 1
): RowWindow {
  if (layout.rows === 0) return { firstVisible: 0, lastVisible: -1, first: 0, last: -1 }
  const top = Math.max(0, scrollTop)
  const firstVisible = Math.min(layout.rows - 1, Math.floor(top / layout.rowHeight))
  const lastVisible = Math.min(
    layout.rows - 1,
    Math.floor((top + Math.max(viewportHeight, 1) - 1) / layout.rowHeight)
  )
  const extra = Math.ceil((viewportHeight * overscanViewports) / layout.rowHeight)
  return {
    firstVisible,
    lastVisible,
    first: Math.max(0, firstVisible - extra),
    last: Math.min(layout.rows - 1, lastVisible + extra)
  }
}

/** Sample indices covered by rows [first, last], clipped to the total. */
export function indexRange(
  layout: GridLayout,
  total: number,
  first: number,
  last: number
): [number, number] {
  if (last < first || total === 0) return [0, -1]
  return [first * layout.columns, Math.min(total - 1, (last + 1) * layout.columns - 1)]
}

/** 1-based service pages that hold indices [from, to]. */
export function pagesFor(from: number, to: number, perPage: number): number[] {
  if (to < from) return []
  const pages: number[] = []
  for (let p = Math.floor(from / perPage) + 1; p <= Math.floor(to / perPage) + 1; p++) pages.push(p)
  return pages
}

/**
 * Pages to fetch, most urgent first: the visible ones, then ahead in the scroll direction
 * (two viewports), then one viewport behind.
 */
export function pagesToFetch(
  layout: GridLayout,
  total: number,
  window: RowWindow,
  direction: 1 | -1,
  perPage: number
): number[] {
  const visibleRows = window.lastVisible - window.firstVisible + 1
  const aheadRows = visibleRows * 2
  const [v0, v1] = indexRange(layout, total, window.firstVisible, window.lastVisible)
  const ahead =
    direction > 0
      ? indexRange(layout, total, window.lastVisible + 1, window.lastVisible + aheadRows)
      : indexRange(
          layout,
          total,
          Math.max(0, window.firstVisible - aheadRows),
          window.firstVisible - 1
        )
  const behind =
    direction > 0
      ? indexRange(
          layout,
          total,
          Math.max(0, window.firstVisible - visibleRows),
          window.firstVisible - 1
        )
      : indexRange(layout, total, window.lastVisible + 1, window.lastVisible + visibleRows)
  const ordered = [
    ...pagesFor(v0, v1, perPage),
    ...(direction > 0
      ? pagesFor(ahead[0], ahead[1], perPage)
      : pagesFor(ahead[0], ahead[1], perPage).reverse()),
    ...pagesFor(behind[0], behind[1], perPage)
  ]
  return [...new Set(ordered)]
}

/** The scroll position that brings a row fully into view, or null when it already is. */
export function scrollToRow(
  layout: GridLayout,
  row: number,
  scrollTop: number,
  viewportHeight: number
): number | null {
  const top = row * layout.rowHeight
  const bottom = top + layout.rowHeight + layout.gap
  if (top < scrollTop) return top
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight)
  return null
}
