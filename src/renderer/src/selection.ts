/**
 * Which images are selected, as pure functions over an immutable state. Indices are positions
 * in the current filter; ids are what deletion needs. The anchor is where a shift range starts.
 */
export interface Selection {
  readonly ids: ReadonlySet<string>
  readonly anchor: number | null
}

export type Intent = 'replace' | 'toggle' | 'range' | 'addRange'

export const EMPTY: Selection = { ids: new Set(), anchor: null }

export interface Modifiers {
  shiftKey: boolean
  ctrlKey: boolean
  metaKey: boolean
}

/** Cmd on macOS and Ctrl elsewhere toggles; Shift extends from the anchor. */
export function intentOf(event: Modifiers, isMac: boolean): Intent {
  const toggleKey = isMac ? event.metaKey : event.ctrlKey
  if (event.shiftKey) return toggleKey ? 'addRange' : 'range'
  return toggleKey ? 'toggle' : 'replace'
}

/** Indices a range covers, in ascending order, from the anchor (or the index alone). */
export function rangeBounds(anchor: number | null, index: number): [number, number] {
  const from = anchor ?? index
  return from <= index ? [from, index] : [index, from]
}

/**
 * Applies a click. `idAt` answers the id at an index in the filter; indices it does not know
 * (not loaded) are skipped, so callers load the range first.
 */
export function applyClick(
  state: Selection,
  intent: Intent,
  index: number,
  idAt: (index: number) => string | undefined
): Selection {
  const id = idAt(index)
  switch (intent) {
    case 'replace':
      return { ids: new Set(id === undefined ? [] : [id]), anchor: index }
    case 'toggle': {
      if (id === undefined) return state
      const ids = new Set(state.ids)
      if (ids.has(id)) ids.delete(id)
      else ids.add(id)
      return { ids, anchor: index }
    }
    case 'range':
    case 'addRange': {
      const [lo, hi] = rangeBounds(state.anchor, index)
      const ids = new Set(intent === 'addRange' ? state.ids : [])
      for (let i = lo; i <= hi; i++) {
        const at = idAt(i)
        if (at !== undefined) ids.add(at)
      }
      // The anchor stays put, so a second shift-click re-ranges from the same place.
      return { ids, anchor: state.anchor ?? index }
    }
  }
}

export function selectAll(state: Selection, ids: Iterable<string>): Selection {
  const next = new Set(state.ids)
  for (const id of ids) next.add(id)
  return { ids: next, anchor: state.anchor }
}

/** Drops ids that no longer exist (after a delete); keeps the anchor. */
export function without(state: Selection, gone: Iterable<string>): Selection {
  const ids = new Set(state.ids)
  let changed = false
  for (const id of gone) changed = ids.delete(id) || changed
  return changed ? { ids, anchor: state.anchor } : state
}
