import type { JobStats, TagFilter } from '../../../../shared/domain'

/**
 * Pure arithmetic of the outbox overlay: which filters a queued sample belongs to, how visible
 * offsets map to the service's offsets around hidden samples, and the counts without them.
 */

/** Whether a sample with these tags shows up under `filter` (null tags: not known). */
export function matchesFilter(tags: readonly string[] | null, filter: TagFilter): boolean | null {
  if (filter.kind === 'everything') return true
  if (tags === null) return null
  if (filter.kind === 'tagged') return tags.length > 0
  if (filter.kind === 'untagged') return tags.length === 0
  return tags.includes(filter.tag)
}

/** The placed (offset >= 0) hidden offsets of a listing, ascending. */
export function placedOffsets(hidden: Record<string, number>): number[] {
  return Object.values(hidden)
    .filter((o) => o >= 0)
    .sort((a, b) => a - b)
}

/**
 * The service offset of the `visible`-th sample that is not hidden. `hidden` is ascending.
 * Each hidden offset at or before the running position pushes it one further.
 */
export function serviceOffset(visible: number, hidden: readonly number[]): number {
  let offset = visible
  for (const h of hidden) {
    if (h <= offset) offset += 1
    else break
  }
  return offset
}

/** What a queued deletion takes away from a job's counts. */
export interface CountedSample {
  tags: readonly string[] | null
  boxTags: readonly string[]
}

/** The job's stats with `removed` samples taken out (never below zero). */
export function subtractFromStats(stats: JobStats, removed: readonly CountedSample[]): JobStats {
  if (removed.length === 0) return stats
  const labels = new Map(stats.labels.map((l) => [l.name, { ...l }]))
  let tagged = stats.tagged
  let untagged = stats.untagged
  for (const sample of removed) {
    if (sample.tags === null) continue
    if (sample.tags.length > 0) tagged -= 1
    else untagged -= 1
    for (const tag of new Set(sample.tags)) {
      const label = labels.get(tag)
      if (!label) continue
      label.sampleCount -= 1
      // Detection counts boxes; classification counts one per sample.
      label.count -= sample.boxTags.length > 0 ? sample.boxTags.filter((t) => t === tag).length : 1
    }
  }
  const floor = (n: number) => Math.max(0, n)
  return {
    ...stats,
    all: floor(stats.all - removed.length),
    tagged: floor(tagged),
    untagged: floor(untagged),
    labels: stats.labels.map((l) => {
      const label = labels.get(l.name) ?? l
      return { ...label, count: floor(label.count), sampleCount: floor(label.sampleCount) }
    })
  }
}

/**
 * After the service deleted `removed` (offsets in the old coordinates, ascending), where an old
 * offset lands. Returns -1 for a removed offset.
 */
export function shiftedOffset(old: number, removed: readonly number[]): number {
  let lo = 0
  let hi = removed.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (removed[mid] < old) lo = mid + 1
    else hi = mid
  }
  if (removed[lo] === old) return -1
  return old - lo
}
