import { describe, expect, it } from 'vitest'
import { computeLayout, indexRange, pagesFor, pagesToFetch, rowWindow, scrollToRow } from './layout'

describe('grid layout', () => {
  it('fits as many square tiles of at least the minimum as the width allows', () => {
    const l = computeLayout(1000, 100_000, 168, 8)
    expect(l.columns).toBe(5)
    expect(l.tile).toBeGreaterThanOrEqual(168)
    expect(l.rows).toBe(20_000)
    expect(l.height).toBe(20_000 * l.rowHeight + 8)
    expect(computeLayout(50, 3).columns).toBe(1)
  })

  it('renders about three viewports of rows around the visible ones', () => {
    const l = computeLayout(1000, 100_000, 168, 8)
    const w = rowWindow(l, 50_000, 800)
    const visible = w.lastVisible - w.firstVisible + 1
    const rendered = w.last - w.first + 1
    expect(rendered).toBeGreaterThanOrEqual(visible * 2.5)
    expect(rendered).toBeLessThanOrEqual(visible * 3 + 4)
    expect(w.firstVisible).toBe(Math.floor(50_000 / l.rowHeight))
  })

  it('clips the window at the ends', () => {
    const l = computeLayout(1000, 12, 168, 8)
    expect(rowWindow(l, 0, 2000)).toEqual({ firstVisible: 0, lastVisible: 2, first: 0, last: 2 })
    expect(rowWindow(computeLayout(1000, 0), 0, 800).last).toBe(-1)
    expect(indexRange(l, 12, 0, 2)).toEqual([0, 11])
  })

  it('maps indices to 1-based pages', () => {
    expect(pagesFor(0, 99, 100)).toEqual([1])
    expect(pagesFor(95, 205, 100)).toEqual([1, 2, 3])
    expect(pagesFor(5, 4, 100)).toEqual([])
  })

  it('fetches visible pages first, then ahead in the scroll direction', () => {
    const l = computeLayout(1000, 100_000, 168, 8)
    const w = rowWindow(l, 100 * l.rowHeight, 800) // rows 100.., indices 500..
    const down = pagesToFetch(l, 100_000, w, 1, 100)
    expect(down[0]).toBe(6)
    expect(down.indexOf(7)).toBeLessThan(down.indexOf(5))
    const up = pagesToFetch(l, 100_000, w, -1, 100)
    expect(up[0]).toBe(6)
    expect(up.indexOf(5)).toBeLessThan(up.indexOf(7) === -1 ? Infinity : up.indexOf(7))
  })

  it('scrolls just enough to reveal a row', () => {
    const l = computeLayout(1000, 1000, 168, 8)
    expect(scrollToRow(l, 0, 0, 800)).toBeNull()
    expect(scrollToRow(l, 10, 0, 800)).toBe(11 * l.rowHeight + 8 - 800)
    expect(scrollToRow(l, 2, 5 * l.rowHeight, 800)).toBe(2 * l.rowHeight)
  })
})
