import { useEffect, useState } from 'react'
import type { Box, Sample } from '../../../shared/domain'
import { labelSetOf, sameLabels, withLabels } from '../../../shared/labels'

/** The viewer's own copy of an image's boxes while their edits are being written. */
interface Draft {
  sampleId: string
  boxes: Box[]
  /** Every edit is written; the copy goes once the image read back shows the same. */
  written: boolean
}

/** How long a written copy may outlive a read that shows something else (a merge). */
const DRAFT_GRACE_MS = 2_000

/**
 * Box edits show at once, before their write comes back through IndexedDB: a key held down
 * moves the box by every press, each building on the last. `shown` is the image with the copy
 * on top; `edited` keeps the boxes just made, `written` says every edit asked for is stored.
 */
export function useBoxDraft(fresh: Sample | undefined) {
  const [draft, setDraft] = useState<Draft | null>(null)
  const mine = draft && fresh && draft.sampleId === fresh.id ? draft : null
  const tags = fresh ? labelSetOf(fresh).tags : []
  // Written, and read back the same: the image as read is shown again.
  const caughtUp =
    mine !== null &&
    fresh !== undefined &&
    mine.written &&
    sameLabels(labelSetOf(fresh), { tags, boxes: mine.boxes })
  const shown = mine && fresh && !caughtUp ? withLabels(fresh, { tags, boxes: mine.boxes }) : fresh
  // Written but read back otherwise (a sync merged it): the copy goes a moment later anyway.
  useEffect(() => {
    if (!draft?.written) return
    const timer = setTimeout(() => setDraft((d) => (d === draft ? null : d)), DRAFT_GRACE_MS)
    return () => clearTimeout(timer)
  }, [draft])
  return {
    shown,
    edited: (sampleId: string, boxes: Box[]) => setDraft({ sampleId, boxes, written: false }),
    written: () => setDraft((d) => d && { ...d, written: true })
  }
}
