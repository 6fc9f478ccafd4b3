import { useCallback, useEffect, useRef, useState } from 'react'
import { collectSampleIds } from '../data/pages'
import type { JobKey, ViewRef } from '../data/types'
import type { PageStore } from '../grid/pageStore'
import {
  EMPTY,
  applyClick,
  rangeBounds,
  selectAll,
  without,
  type Intent,
  type Selection
} from '../selection'
import { log } from '../log'

/**
 * The grid's focus (`active`) and selection, as a file manager keeps them: a click or a plain
 * arrow replaces the selection with one image, Shift extends from the anchor, Ctrl/Cmd toggles
 * (or, with arrows, moves the focus alone). `clear()` replaces it outright (opening an image),
 * and a click still waiting for its page drops its result after one.
 */
export function useGridSelection(store: PageStore, job: JobKey, view: ViewRef, count: number) {
  const [selection, setSelection] = useState<Selection>(EMPTY)
  const [active, setActive] = useState(0)
  const [selecting, setSelecting] = useState<{ done: number; total: number } | null>(null)
  const selectAbort = useRef<AbortController | null>(null)
  const epoch = useRef(0)

  useEffect(() => () => selectAbort.current?.abort(), [])

  const click = useCallback(
    async (index: number, intent: Intent) => {
      setActive(index)
      const started = epoch.current
      const range = intent === 'range' || intent === 'addRange'
      // A range needs every page under it current; a single image only its id.
      if (range || store.sampleAt(index) === undefined) {
        const [lo, hi] = range ? rangeBounds(selection.anchor, index) : [index, index]
        await store.ensure(lo, hi).catch((error: unknown) => {
          // The grid's error panel shows why the page did not load; the selection skips it.
          log.warn('images to select did not load', error)
        })
      }
      if (started !== epoch.current) return
      setSelection((s) => applyClick(s, intent, index, (i) => store.sampleAt(i)?.id))
    },
    [store, selection.anchor]
  )

  const clear = useCallback(() => {
    epoch.current++
    setSelection(EMPTY)
  }, [])

  /** Adds the images of indices [first, last] that are loaded. */
  const selectRange = (first: number, last: number) => {
    const ids: string[] = []
    for (let i = first; i <= last; i++) {
      const id = store.sampleAt(i)?.id
      if (id) ids.push(id)
    }
    setSelection((s) => selectAll(s, ids))
  }

  /** Every image of the view, read page by page with progress; cancellable. */
  const selectEverything = async () => {
    const abort = new AbortController()
    selectAbort.current = abort
    setSelecting({ done: 0, total: count })
    try {
      const ids = await collectSampleIds(
        job,
        view,
        (done, all) => setSelecting({ done, total: all }),
        abort.signal
      )
      if (!abort.signal.aborted) setSelection((s) => selectAll(s, ids))
    } catch (error) {
      // The grid shows service errors; a failed select-all just selects nothing more.
      log.warn('select all stopped', error)
    } finally {
      setSelecting(null)
    }
  }

  return {
    selection,
    active,
    setActive,
    selecting,
    click,
    clear,
    selectRange,
    selectEverything,
    cancelSelectEverything: () => selectAbort.current?.abort(),
    forget: (ids: readonly string[]) => setSelection((s) => without(s, ids))
  }
}
