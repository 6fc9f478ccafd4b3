import { describe, expect, it } from 'vitest'
import { actionFor, shortcutTable, type Action, type Context, type KeyName } from './shortcuts'

const press = (
  key: string,
  mods: Partial<{ shiftKey: boolean; ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}
) => ({
  key,
  shiftKey: false,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  ...mods
})

describe('shortcuts', () => {
  it('moves in the grid with arrows and j/k, extends with shift, moves only the focus with Ctrl/Cmd', () => {
    expect(actionFor(press('ArrowDown'), 'grid', false)).toEqual({
      kind: 'move',
      dx: 0,
      dy: 1,
      mode: 'select'
    })
    expect(actionFor(press('ArrowLeft', { shiftKey: true }), 'grid', false)).toEqual({
      kind: 'move',
      dx: -1,
      dy: 0,
      mode: 'extend'
    })
    expect(actionFor(press('ArrowRight', { ctrlKey: true }), 'grid', false)).toEqual({
      kind: 'move',
      dx: 1,
      dy: 0,
      mode: 'focus'
    })
    expect(actionFor(press('ArrowRight', { metaKey: true }), 'grid', true)).toEqual({
      kind: 'move',
      dx: 1,
      dy: 0,
      mode: 'focus'
    })
    expect(actionFor(press('ArrowRight', { ctrlKey: true }), 'viewer', false)).toBeNull()
    expect(actionFor(press('j'), 'grid', false)).toEqual({ kind: 'step', by: 1 })
    expect(actionFor(press('k'), 'viewer', false)).toEqual({ kind: 'step', by: -1 })
  })

  it('steps in the viewer with left/right and ignores up/down', () => {
    expect(actionFor(press('ArrowRight'), 'viewer', false)).toEqual({ kind: 'step', by: 1 })
    expect(actionFor(press('ArrowUp'), 'viewer', false)).toBeNull()
  })

  it('opens with Enter or Space, closes with Esc (and Space in the viewer)', () => {
    expect(actionFor(press('Enter'), 'grid', false)).toEqual({ kind: 'open' })
    expect(actionFor(press(' '), 'grid', false)).toEqual({ kind: 'open' })
    expect(actionFor(press(' '), 'viewer', false)).toEqual({ kind: 'close' })
    expect(actionFor(press('Escape'), 'grid', false)).toEqual({ kind: 'close' })
    // Escape in the viewer steps back: the box editor takes it first, else it closes.
    expect(actionFor(press('Escape'), 'viewer', false)).toEqual({ kind: 'back' })
  })

  it('deletes, selects, toggles boxes and shows help', () => {
    expect(actionFor(press('Delete'), 'grid', false)).toEqual({ kind: 'delete' })
    expect(actionFor(press('Backspace'), 'viewer', false)).toEqual({ kind: 'delete' })
    expect(actionFor(press('x'), 'grid', false)).toEqual({ kind: 'toggleSelect' })
    expect(actionFor(press('b'), 'viewer', false)).toEqual({ kind: 'boxes' })
    expect(actionFor(press('?', { shiftKey: true }), 'grid', false)).toEqual({ kind: 'help' })
  })

  it('opens the review report with Shift+R, in the grid and the viewer; r alone still rejects', () => {
    for (const context of ['grid', 'viewer'] as const) {
      expect(actionFor(press('R', { shiftKey: true }), context, false)).toEqual({ kind: 'report' })
      expect(actionFor(press('r'), context, false)).toEqual({ kind: 'reject' })
      // Caps Lock: an R without Shift opens nothing.
      expect(actionFor(press('R'), context, false)).toBeNull()
    }
  })

  it('select-all is Ctrl+A, or Cmd+A on macOS, and leaves other chords to the browser', () => {
    expect(actionFor(press('a', { ctrlKey: true }), 'grid', false)).toEqual({ kind: 'selectAll' })
    expect(actionFor(press('a', { metaKey: true }), 'grid', true)).toEqual({ kind: 'selectAll' })
    expect(actionFor(press('a', { ctrlKey: true }), 'viewer', false)).toBeNull()
    expect(actionFor(press('r', { ctrlKey: true }), 'grid', false)).toBeNull()
    expect(actionFor(press('j', { altKey: true }), 'grid', false)).toBeNull()
  })

  it('edits boxes in the viewer: [ ] pick, Alt+arrows move, Alt+Ctrl/Cmd+arrows grow, l, n, Enter', () => {
    expect(actionFor(press(']'), 'viewer', false)).toEqual({ kind: 'pickBox', by: 1 })
    expect(actionFor(press('['), 'viewer', false)).toEqual({ kind: 'pickBox', by: -1 })
    expect(actionFor(press('ArrowLeft', { altKey: true }), 'viewer', false)).toEqual({
      kind: 'moveBox',
      dx: -1,
      dy: 0
    })
    expect(
      actionFor(press('ArrowDown', { altKey: true, shiftKey: true }), 'viewer', false)
    ).toEqual({ kind: 'moveBox', dx: 0, dy: 10 })
    expect(
      actionFor(press('ArrowRight', { altKey: true, ctrlKey: true }), 'viewer', false)
    ).toEqual({ kind: 'growBox', dx: 1, dy: 0 })
    expect(actionFor(press('ArrowUp', { altKey: true, metaKey: true }), 'viewer', true)).toEqual({
      kind: 'growBox',
      dx: 0,
      dy: -1
    })
    // On macOS Ctrl is not the modifier: Alt+Ctrl+arrow is a plain move there.
    expect(actionFor(press('ArrowUp', { altKey: true, ctrlKey: true }), 'viewer', true)).toEqual({
      kind: 'moveBox',
      dx: 0,
      dy: -1
    })
    expect(actionFor(press('l'), 'viewer', false)).toEqual({ kind: 'relabelBox' })
    expect(actionFor(press('n'), 'viewer', false)).toEqual({ kind: 'drawBox' })
    expect(actionFor(press('Enter'), 'viewer', false)).toEqual({ kind: 'placeBox' })
  })

  it('keeps the box keys out of the grid', () => {
    for (const key of [']', '[', 'l', 'n']) expect(actionFor(press(key), 'grid', false)).toBeNull()
    expect(actionFor(press('ArrowLeft', { altKey: true }), 'grid', false)).toBeNull()
    expect(actionFor(press('ArrowLeft', { altKey: true, ctrlKey: true }), 'grid', false)).toBeNull()
  })

  it('says in the sheet what Escape and Delete do in the viewer, with box editing or without', () => {
    const labels = (editBoxes: boolean) =>
      shortcutTable(false, editBoxes)
        .filter((s) => s.contexts.includes('viewer'))
        .map((s) => s.label)
    expect(labels(false)).toEqual(expect.arrayContaining(['close', 'delete']))
    expect(labels(false)).not.toContain('deleteBox')
    expect(labels(true)).toEqual(
      expect.arrayContaining(['back', 'deleteBox', 'pickBox', 'relabelBox', 'drawBox'])
    )
    expect(labels(true)).not.toContain('delete')
  })

  it('lists in the sheet exactly the keys the handler knows', () => {
    const keyOf = (name: KeyName): string[] => {
      if ('char' in name)
        return [
          ({ '←': 'ArrowLeft', '→': 'ArrowRight' } as Record<string, string>)[name.char] ??
            name.char
        ]
      const map: Record<string, string[]> = {
        arrows: ['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown'],
        space: [' '],
        enter: ['Enter'],
        escape: ['Escape'],
        delete: ['Delete'],
        backspace: ['Backspace']
      }
      return map[name.i18n] ?? []
    }
    for (const shortcut of [...shortcutTable(false), ...shortcutTable(false, true)]) {
      for (const combo of shortcut.keys) {
        const has = (name: string) => combo.some((c) => 'i18n' in c && c.i18n === name)
        const main = combo.filter(
          (c) => !('i18n' in c && ['shift', 'ctrl', 'cmd', 'alt'].includes(c.i18n))
        )
        for (const context of shortcut.contexts as Context[]) {
          for (const key of main.flatMap(keyOf)) {
            const action: Action | null = actionFor(
              press(key, { shiftKey: has('shift'), ctrlKey: has('ctrl'), altKey: has('alt') }),
              context,
              false
            )
            expect({ label: shortcut.label, key, context, action: action !== null }).toEqual({
              label: shortcut.label,
              key,
              context,
              action: true
            })
          }
        }
      }
    }
  })
})
