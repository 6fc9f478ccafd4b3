import type { Sample, TagFilter } from '../../../../shared/domain'
import type { ProblemKind } from './problems'

/**
 * Questions the service cannot answer, answered from a job's replica: several labels at once,
 * a range of box counts, part of a name, and orders other than the service's.
 */
export interface LocalSearch {
  /** Images with any, all or none of these labels (an empty list asks nothing). */
  labels?: { mode: 'any' | 'all' | 'none'; names: string[] }
  /** Inclusive bounds on the number of boxes (detection) or tags (classification). */
  boxes?: { min?: number; max?: number }
  /** Part of the image's name, in any case. */
  nameContains?: string
  /**
   * Images the problem finder flags for this check (`problems.ts`), or images in a group of
   * near-duplicates (`near-duplicate-groups.ts`), group by group.
   */
  problem?: ProblemFilter
  /** `service`: the service's own order (the default). */
  sort?: { by: 'service' | 'name' | 'time' | 'boxes'; dir: 'asc' | 'desc' }
}

/** The Problems section's filters: every check, and the near-duplicate groups. */
export type ProblemFilter = ProblemKind | typeof NEAR_DUPLICATES
export const NEAR_DUPLICATES = 'nearDuplicate' as const

export const SORT_KEYS = ['service', 'name', 'time', 'boxes'] as const

/** A sample's boxes, or its tags for a classification image (what "number of boxes" counts). */
export const markCount = (s: Sample): number =>
  s.boxes.length > 0 ? s.boxes.length : s.tags.length

/** The service's own filters, as it applies them (`tagged`: annotated, as ListSamples counts). */
export function inFilter(filter: TagFilter, s: Sample): boolean {
  switch (filter.kind) {
    case 'everything':
      return true
    case 'tagged':
      return s.annotated
    case 'untagged':
      return !s.annotated
    case 'tag':
      return s.tags.includes(filter.tag)
  }
}

/** Whether the search asks anything of a sample (sorting alone does not filter). */
export function narrows(search: LocalSearch | undefined): boolean {
  if (!search) return false
  return (
    (search.labels?.names.length ?? 0) > 0 ||
    search.boxes?.min !== undefined ||
    search.boxes?.max !== undefined ||
    (search.nameContains ?? '').trim() !== '' ||
    search.problem !== undefined
  )
}

/** The test one sample must pass, built once per search. `skipLabels`: for the label counts. */
export function matcher(search: LocalSearch, skipLabels = false): (s: Sample) => boolean {
  const names = skipLabels ? [] : (search.labels?.names ?? [])
  const mode = search.labels?.mode ?? 'any'
  const min = search.boxes?.min ?? -Infinity
  const max = search.boxes?.max ?? Infinity
  const needle = (search.nameContains ?? '').trim().toLocaleLowerCase()
  return (s) => {
    if (names.length > 0) {
      const has = (n: string) => s.tags.includes(n)
      if (mode === 'any' && !names.some(has)) return false
      if (mode === 'all' && !names.every(has)) return false
      if (mode === 'none' && names.some(has)) return false
    }
    const marks = markCount(s)
    if (marks < min || marks > max) return false
    return needle === '' || s.name.toLocaleLowerCase().includes(needle)
  }
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** Sorts in place (stable: ties keep the service's order). */
export function sortSamples(samples: Sample[], sort: LocalSearch['sort']): Sample[] {
  if (!sort || sort.by === 'service') return sort?.dir === 'desc' ? samples.reverse() : samples
  const sign = sort.dir === 'desc' ? -1 : 1
  const by: (a: Sample, b: Sample) => number =
    sort.by === 'name'
      ? (a, b) => collator.compare(a.name, b.name)
      : sort.by === 'time'
        ? (a, b) => a.time - b.time
        : (a, b) => markCount(a) - markCount(b)
  return samples.sort((a, b) => sign * by(a, b))
}

/** A stable key for memoising a search's answer. */
export const searchKey = (search: LocalSearch | undefined): string => JSON.stringify(search ?? {})
