import { sameBox, type LabelSet } from '../../../../shared/labels'
import type { Box } from '../../../../shared/domain'

/**
 * What a label change did, in the reviewer's terms: tags added and removed, boxes added,
 * removed, moved (or resized) and relabelled. Mine's boxes name the base box they were made
 * from (`origins`); a box drawn anew that equals a base box no other box came from is that box
 * kept (a conflict settled as "mine" names no origins).
 */
export interface LabelSummary {
  tagsAdded: string[]
  tagsRemoved: string[]
  /** The labels of the boxes, one entry per box. */
  boxesAdded: string[]
  boxesRemoved: string[]
  boxesMoved: string[]
  boxesRelabelled: { from: string; to: string }[]
  /** Every label removed on purpose. */
  cleared: boolean
}

export function summariseLabels(change: {
  base: LabelSet
  mine: LabelSet
  origins: readonly (number | null)[]
  cleared: boolean
}): LabelSummary {
  const { base, mine } = change
  const baseTags = new Set(base.tags)
  const mineTags = new Set(mine.tags)
  const used = new Set<number>()
  const drawn: Box[] = []
  const summary: LabelSummary = {
    tagsAdded: [...mineTags].filter((t) => !baseTags.has(t)),
    tagsRemoved: [...baseTags].filter((t) => !mineTags.has(t)),
    boxesAdded: [],
    boxesRemoved: [],
    boxesMoved: [],
    boxesRelabelled: [],
    cleared: change.cleared
  }
  mine.boxes.forEach((box, i) => {
    const origin = change.origins[i] ?? null
    const from = origin === null || used.has(origin) ? undefined : base.boxes[origin]
    if (origin === null || !from) return void drawn.push(box)
    used.add(origin)
    if (from.tag !== box.tag) summary.boxesRelabelled.push({ from: from.tag, to: box.tag })
    const moved =
      from.x1 !== box.x1 || from.y1 !== box.y1 || from.x2 !== box.x2 || from.y2 !== box.y2
    if (moved) summary.boxesMoved.push(box.tag)
  })
  const left = base.boxes.flatMap((box, i) => (used.has(i) ? [] : [box]))
  for (const box of drawn) {
    const same = left.findIndex((b) => sameBox(b, box))
    if (same >= 0) left.splice(same, 1)
    else summary.boxesAdded.push(box.tag)
  }
  summary.boxesRemoved = left.map((b) => b.tag)
  return summary
}

/** Whether a summary says nothing changed (an edit that only reordered boxes). */
export const noChange = (s: LabelSummary): boolean =>
  !s.cleared &&
  [s.tagsAdded, s.tagsRemoved, s.boxesAdded, s.boxesRemoved, s.boxesMoved, s.boxesRelabelled].every(
    (list) => list.length === 0
  )

/** A pause longer than this between two decisions is a break: its time is not reviewing time. */
export const BREAK_MS = 10 * 60_000

/**
 * Images reviewed per minute, as the live counter works it out (`useSitting`): distinct images
 * decided, less one, over the time from the first decision to the last; over several runs of
 * work (split at breaks longer than `BREAK_MS`), the runs' images less one each over their
 * summed spans. Null until two decisions at different times.
 */
export function perMinute(decisions: readonly { sampleId: string; at: number }[]): number | null {
  const sorted = [...decisions].sort((a, b) => a.at - b.at)
  let images = 0
  let span = 0
  let run = new Set<string>()
  let start = 0
  let last = 0
  const close = () => {
    if (run.size === 0) return
    images += run.size - 1
    span += last - start
  }
  for (const d of sorted) {
    if (run.size === 0 || d.at - last > BREAK_MS) {
      close()
      run = new Set()
      start = d.at
    }
    run.add(d.sampleId)
    last = d.at
  }
  close()
  return images > 0 && span > 0 ? (images * 60_000) / span : null
}
