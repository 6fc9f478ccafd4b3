/**
 * Deep pages without walking the index from the start. `LIMIT 100 OFFSET 90000` makes SQLite
 * step over 90,000 index entries (about 7 ms at 100,000 samples); instead we keep, per listing
 * (dataset, filter, order), the key found at every STRIDE-th position and start from the nearest
 * one: `WHERE (time, id) >= anchor ... OFFSET (offset - anchor.pos)`.
 *
 * An anchor stays exact across deletes without a rebuild: its `pos` is "how many listed rows
 * come before its key", and a key keeps working as a lower bound even once its own row is gone,
 * so a delete only decrements `pos` of the anchors after the deleted key. Inserts (only the demo
 * builder makes them, before any listing) drop the dataset's anchors.
 */
export const STRIDE = 512
const MAX_LISTS = 64

export interface Anchor {
  time: number
  id: string
  /** Number of listed rows whose key comes before this one, in the listing's order. */
  pos: number
}

export type Order = 'asc' | 'desc'

/** What a deleted row looks like to decide which listings it was part of. */
export interface RemovedRow {
  time: number
  id: string
  tagged: boolean
  labels: ReadonlySet<string>
  /** The labeling tasks it belonged to, with its review state in each (`task_samples.review`). */
  tasks: ReadonlyMap<string, number>
}

export interface Listing {
  datasetId: string
  order: Order
  includes(row: RemovedRow): boolean
}

interface Entry extends Listing {
  anchors: Anchor[]
}

function compareKeys(a: { time: number; id: string }, b: { time: number; id: string }): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1
  return a.id === b.id ? 0 : a.id < b.id ? -1 : 1
}

export class PageIndex {
  private readonly lists = new Map<string, Entry>()

  /**
   * Where to start reading `offset` rows into a listing: an anchor (null = the beginning) and how
   * many rows to skip from it. Shallow offsets never build anything.
   */
  locate(
    key: string,
    listing: Listing,
    offset: number,
    build: () => Anchor[]
  ): { anchor: Anchor | null; skip: number } {
    if (offset < 2 * STRIDE) return { anchor: null, skip: offset }
    let entry = this.lists.get(key)
    if (entry) {
      // Most recently used last, so the oldest goes first when the map is full.
      this.lists.delete(key)
      this.lists.set(key, entry)
    } else {
      entry = { ...listing, anchors: build() }
      this.lists.set(key, entry)
      for (const old of this.lists.keys()) {
        if (this.lists.size <= MAX_LISTS) break
        this.lists.delete(old)
      }
    }
    const anchor = lastAtOrBefore(entry.anchors, offset)
    return anchor ? { anchor, skip: offset - anchor.pos } : { anchor: null, skip: offset }
  }

  /** Keeps every anchor exact after rows were deleted from `datasetId`. */
  removed(datasetId: string, rows: RemovedRow[]): void {
    for (const entry of this.lists.values()) {
      if (entry.datasetId !== datasetId) continue
      const sign = entry.order === 'asc' ? 1 : -1
      for (const row of rows) {
        if (!entry.includes(row)) continue
        for (const anchor of entry.anchors)
          if (sign * compareKeys(anchor, row) > 0) anchor.pos = Math.max(0, anchor.pos - 1)
      }
    }
  }

  forget(datasetId: string): void {
    for (const [key, entry] of this.lists) if (entry.datasetId === datasetId) this.lists.delete(key)
  }

  get size(): number {
    return this.lists.size
  }
}

function lastAtOrBefore(anchors: Anchor[], offset: number): Anchor | null {
  let lo = 0
  let hi = anchors.length - 1
  let found: Anchor | null = null
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    const anchor = anchors[mid] as Anchor
    if (anchor.pos <= offset) {
      found = anchor
      lo = mid + 1
    } else hi = mid - 1
  }
  return found
}
