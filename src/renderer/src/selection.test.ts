import { describe, expect, it } from 'vitest'
import { EMPTY, applyClick, intentOf, rangeBounds, selectAll, without } from './selection'

const idAt = (i: number) => (i >= 0 && i < 50 ? `s${i}` : undefined)
const ids = (s: { ids: ReadonlySet<string> }) => [...s.ids].sort()

describe('selection', () => {
  it('maps modifiers to intents, Cmd on macOS and Ctrl elsewhere', () => {
    const none = { shiftKey: false, ctrlKey: false, metaKey: false }
    expect(intentOf(none, false)).toBe('replace')
    expect(intentOf({ ...none, ctrlKey: true }, false)).toBe('toggle')
    expect(intentOf({ ...none, ctrlKey: true }, true)).toBe('replace')
    expect(intentOf({ ...none, metaKey: true }, true)).toBe('toggle')
    expect(intentOf({ ...none, shiftKey: true }, false)).toBe('range')
    expect(intentOf({ ...none, shiftKey: true, ctrlKey: true }, false)).toBe('addRange')
  })

  it('a plain click selects only the clicked image and sets the anchor', () => {
    let s = applyClick(EMPTY, 'toggle', 1, idAt)
    s = applyClick(s, 'replace', 4, idAt)
    expect(ids(s)).toEqual(['s4'])
    expect(s.anchor).toBe(4)
  })

  it('ctrl-click toggles one image in and out', () => {
    let s = applyClick(EMPTY, 'toggle', 2, idAt)
    s = applyClick(s, 'toggle', 5, idAt)
    expect(ids(s)).toEqual(['s2', 's5'])
    s = applyClick(s, 'toggle', 2, idAt)
    expect(ids(s)).toEqual(['s5'])
  })

  it('shift-click selects the range from the anchor, in either direction, and keeps the anchor', () => {
    let s = applyClick(EMPTY, 'replace', 10, idAt)
    s = applyClick(s, 'range', 13, idAt)
    expect(ids(s)).toEqual(['s10', 's11', 's12', 's13'])
    s = applyClick(s, 'range', 8, idAt)
    expect(ids(s)).toEqual(['s10', 's8', 's9'])
    expect(s.anchor).toBe(10)
  })

  it('ctrl+shift adds a range to what was selected', () => {
    let s = applyClick(EMPTY, 'toggle', 0, idAt)
    s = applyClick(s, 'toggle', 20, idAt)
    s = applyClick(s, 'addRange', 22, idAt)
    expect(ids(s)).toEqual(['s0', 's20', 's21', 's22'])
  })

  it('a range without an anchor is the clicked image; unknown indices are skipped', () => {
    expect(rangeBounds(null, 7)).toEqual([7, 7])
    const s = applyClick(applyClick(EMPTY, 'replace', 48, idAt), 'range', 52, idAt)
    expect(ids(s)).toEqual(['s48', 's49'])
  })

  it('select all adds, clearing after a delete drops gone ids', () => {
    let s = selectAll(EMPTY, ['a', 'b', 'c'])
    expect(ids(s)).toEqual(['a', 'b', 'c'])
    s = without(s, ['b', 'zz'])
    expect(ids(s)).toEqual(['a', 'c'])
    expect(without(s, ['nope'])).toBe(s)
  })
})
