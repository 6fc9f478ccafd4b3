import type { JobStats, Sample, TagFilter } from '../../../../shared/domain'
import type { JobKey, ListingRow, OfflineJobRow, PageRow, TagdeckDb } from '../store/db'
import { filterKey } from '../store/db'
import { listingKey } from '../hiding/listing'
import { heldJobs, jobKeyOf, REPLICA_FILTER, REPLICA_PER_PAGE, type Held } from './held'
import { jobEdits, overlayAll } from '../edits/overlay'
import type { ProblemKind } from './problems'
import type { ProblemReport } from './problem-report'
import { pauseForPage, scanProblems, type Findings } from './findings'
import {
  inFilter,
  matcher,
  narrows,
  NEAR_DUPLICATES,
  searchKey,
  sortSamples,
  type LocalSearch
} from './search'
import { groupedView, type NearDuplicateReport } from './near-duplicate-groups'

/**
 * A job made available offline whole is a replica: every sample of the job, in the service's
 * order, held as the pages of its "everything" listing at 100 a page (the download stores them,
 * the sync's rebase keeps them exact, a refresh rewrites them). Every filter, search, count and
 * page of such a job is answered here, online or offline, with queued deletions left out.
 */

export interface Replica {
  job: JobKey
  /** Visible samples (queued deletions left out), in the service's order. */
  samples: Sample[]
  /** When the oldest of its pages was fetched from the service. */
  fetchedAt: number
  /** The job's `version` this answers for. */
  version: number
  /** Answers already worked out, by filter and search. */
  views: Map<string, Sample[]>
  /** The problem finder's report, worked out (off the UI thread) when first asked for. */
  problems: Promise<ProblemReport> | null
}

/** The pin is of the whole job (not of one filter), and its pages are all stored. */
export function isWholeJob(row: OfflineJobRow | undefined): row is OfflineJobRow {
  return (
    row !== undefined &&
    row.pin === 'pinned' &&
    row.filter.kind === 'everything' &&
    (row.phase !== 'pages' || row.state === 'done')
  )
}

/** The replica's pages in order, or null when one of them is not stored. */
function wholePages(pages: PageRow[], total: number): PageRow[] | null {
  const count = Math.ceil(total / REPLICA_PER_PAGE)
  const byNumber = new Map(pages.map((p) => [p.page, p]))
  const inOrder: PageRow[] = []
  for (let n = 1; n <= count; n++) {
    const page = byNumber.get(n)
    if (!page) return null
    inOrder.push(page)
  }
  return inOrder
}

/**
 * The job's replica, or null when the job is not held whole. Read from IndexedDB once per
 * change of its pages (a refresh, a sync's rebase); a deletion or undo only re-applies the
 * hidden samples to what is held in memory.
 */
export function loadReplica(db: TagdeckDb, job: JobKey): Promise<Replica | null> {
  const loads = loading.get(db) ?? new Map<string, Loads>()
  loading.set(db, loads)
  const id = jobKeyOf(job)
  const start = (): Promise<Replica | null> => {
    const task = readReplica(db, job)
    const slot = loads.get(id) ?? { running: task, next: null }
    slot.running = task
    loads.set(id, slot)
    const done = () => {
      if (loads.get(id) === slot && slot.running === task && slot.next === null) loads.delete(id)
    }
    task.then(done, done)
    return task
  }
  const slot = loads.get(id)
  if (!slot) return start()
  // One read at a time. Everyone who asks while one runs shares the one after it (it starts
  // after they asked, so it sees what they wrote): a burst of readers (the grid, the counts, the
  // viewer after each decision) costs two reads, not one each in turn.
  slot.next ??= slot.running.then(ignore, ignore).then(() => {
    slot.next = null
    return start()
  })
  return slot.next
}

/** The read running for a job, and the one its later callers wait for. */
interface Loads {
  running: Promise<Replica | null>
  next: Promise<Replica | null> | null
}

const loading = new WeakMap<TagdeckDb, Map<string, Loads>>()

/** Each caller of a read handles (and logs) its failure; a later read only waits for it to end. */
const ignore = () => undefined

/** Pages read per transaction: each is a task of ~50 ms at most, so the page stays responsive. */
const PAGES_PER_READ = 25

async function readReplica(db: TagdeckDb, job: JobKey): Promise<Replica | null> {
  const key = listingKey({
    ...job,
    filterKey: filterKey(REPLICA_FILTER),
    perPage: REPLICA_PER_PAGE
  })
  const jobs = heldJobs(db)
  const [pin, row, listing, edits] = await db.transaction(
    'r',
    [db.offlineJobs, db.jobs, db.listings, db.edits],
    () =>
      Promise.all([
        db.offlineJobs.get([job.connectionId, job.jobId]),
        db.jobs.get([job.connectionId, job.jobId]),
        db.listings.get(key),
        jobEdits(db, job)
      ])
  )
  if (!isWholeJob(pin) || !listing) return null
  const version = row?.version ?? 0
  const generation = row?.generation ?? 0
  let entry = jobs.get(jobKeyOf(job))
  const samePages =
    entry !== undefined &&
    entry.generation === generation &&
    entry.writes === (listing.writes ?? 0) &&
    entry.total === listing.total
  if (!samePages) {
    // Read a slice at a time. Pages written meanwhile (a refresh, a rebase) change the listing's
    // `writes` or the job's generation, which were read before: the next read reads again.
    const pages = wholePages(await readPages(db, listing), listing.total)
    if (!pages) return null
    const seen = new Set<string>()
    const samples: Sample[] = []
    // A refresh rewrites pages one by one: a sample that moved to the next page may be on both.
    for (const page of pages)
      for (const s of page.samples) {
        if (seen.has(s.id)) continue
        seen.add(s.id)
        samples.push(s)
      }
    entry = {
      generation,
      writes: listing.writes ?? 0,
      total: listing.total,
      samples,
      fetchedAt: pages.length > 0 ? Math.min(...pages.map((p) => p.fetchedAt)) : listing.fetchedAt,
      replica: null,
      last: entry?.replica ?? entry?.last ?? null
    }
    jobs.set(jobKeyOf(job), entry)
  }
  const current = entry as Held
  if (current.replica?.version === version) return current.replica
  const hidden = listing.hidden
  const samples = overlayAll(
    current.samples.filter((s) => !(s.id in hidden)),
    edits
  )
  const previous = current.replica ?? current.last
  const replica: Replica = {
    job,
    samples,
    fetchedAt: current.fetchedAt,
    version,
    views: new Map(),
    // A verdict changes no label: the problem finder's report (a whole pass over the job, 1-3 s
    // at 100,000 images) carries over instead of being worked out again after every decision.
    problems: previous && sameLabelsHeld(previous.samples, samples) ? previous.problems : null
  }
  current.replica = replica
  current.last = null
  return replica
}

/** The same images with the very same tags, boxes and size (what the problem finder reads). */
function sameLabelsHeld(a: readonly Sample[], b: readonly Sample[]): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) {
    const x = a[i]
    const y = b[i]
    const same = x.id === y.id && x.tags === y.tags && x.boxes === y.boxes && x.size === y.size
    if (x !== y && !same) return false
  }
  return true
}

/** The listing's pages 1..n, `PAGES_PER_READ` to a transaction. */
async function readPages(db: TagdeckDb, listing: ListingRow): Promise<PageRow[]> {
  const prefix = [listing.connectionId, listing.jobId, listing.filterKey, listing.perPage]
  const count = Math.ceil(listing.total / REPLICA_PER_PAGE)
  const pages: PageRow[] = []
  for (let from = 1; from <= count; from += PAGES_PER_READ) {
    const to = Math.min(count, from + PAGES_PER_READ - 1)
    pages.push(
      ...(await db.transaction('r', db.pages, () =>
        db.pages
          .where(':id')
          .between([...prefix, from], [...prefix, to], true, true)
          .toArray()
      ))
    )
  }
  return pages
}

/**
 * The filter's samples narrowed by the search, in the order asked (memoised per replica). A
 * search for a problem needs the replica's report (`problemsOf`); for near-duplicates, their
 * groups (`nearDuplicatesOf`), shown group by group unless another order is asked.
 */
export function viewOf(
  replica: Replica,
  filter: TagFilter,
  search?: LocalSearch,
  report?: ProblemReport,
  groups?: NearDuplicateReport
): Sample[] {
  if (search?.problem === NEAR_DUPLICATES) return groupsView(replica, filter, search, groups)
  const key = `${filterKey(filter)}\u0000${searchKey(search)}`
  const known = replica.views.get(key)
  if (known) return known
  const test = search && narrows(search) ? matcher(search) : null
  const problem = search?.problem
  if (problem !== undefined && !report) throw new Error('a problem filter needs the report')
  const flagged = problem === undefined ? null : (report as ProblemReport).bySample
  const found = replica.samples.filter(
    (s) =>
      inFilter(filter, s) &&
      (test === null || test(s)) &&
      (flagged === null || (flagged.kinds(s.id)?.includes(problem as ProblemKind) ?? false))
  )
  const view = sortSamples(found, search?.sort)
  replica.views.set(key, view)
  return view
}

function groupsView(
  replica: Replica,
  filter: TagFilter,
  search: LocalSearch,
  groups: NearDuplicateReport | undefined
): Sample[] {
  if (!groups) throw new Error('a near-duplicate filter needs the groups')
  const key = `${filterKey(filter)}\u0000${searchKey(search)}\u0000${groups.signatures}`
  const known = replica.views.get(key)
  if (known) return known
  const test = matcher(search)
  const grouped = groupedView(
    groups,
    replica.samples.filter((s) => inFilter(filter, s) && test(s))
  )
  const view =
    search.sort && search.sort.by !== 'service' ? sortSamples(grouped, search.sort) : grouped
  replica.views.set(key, view)
  return view
}

/**
 * The job's counts as the service would give them for the replica's samples (queued deletions
 * out): images per label, boxes per label (classification: one per image), tagged, untagged.
 * Labels come in the service's order (`order`, from its stats or label list), then any other.
 */
export function replicaStats(
  replica: Replica,
  order: readonly string[],
  deleted: number
): JobStats {
  const labels = new Map<string, { count: number; sampleCount: number }>()
  for (const name of order) labels.set(name, { count: 0, sampleCount: 0 })
  let tagged = 0
  for (const s of replica.samples) {
    if (s.annotated) tagged += 1
    for (const tag of new Set(s.tags)) {
      const label = labels.get(tag) ?? { count: 0, sampleCount: 0 }
      label.sampleCount += 1
      label.count += s.boxes.length > 0 ? s.boxes.filter((b) => b.tag === tag).length : 1
      labels.set(tag, label)
    }
  }
  return {
    labels: [...labels].map(([name, n]) => ({ name, ...n })),
    all: replica.samples.length,
    tagged,
    untagged: replica.samples.length - tagged,
    deleted
  }
}

/** Counts beside each choice of a search: the images each label would add to it. */
export interface SearchCounts {
  /** Images the filter and the search find. */
  total: number
  /** Per label: images of the filter that pass the rest of the search and carry the label. */
  labels: Record<string, number>
}

export function searchCounts(
  replica: Replica,
  filter: TagFilter,
  search: LocalSearch,
  report?: ProblemReport,
  groups?: NearDuplicateReport
): SearchCounts {
  const rest = matcher(search, true)
  const grouped = search.problem === NEAR_DUPLICATES ? (groups?.groupOf ?? new Map()) : null
  const flagged = search.problem === undefined || grouped ? null : report?.bySample
  const labels: Record<string, number> = {}
  for (const s of replica.samples) {
    if (!inFilter(filter, s) || !rest(s)) continue
    if (grouped && !grouped.has(s.id)) continue
    if (flagged && !flagged.kinds(s.id)?.includes(search.problem as ProblemKind)) continue
    for (const tag of new Set(s.tags)) labels[tag] = (labels[tag] ?? 0) + 1
  }
  return {
    total: viewOf(replica, filter, search, report, groups).length,
    labels
  }
}

/** Scans that failed: a replica holding one (its own, or carried over from the last) scans again. */
const failedScans = new WeakSet<Promise<ProblemReport>>()

/**
 * The problem finder's report on the replica (worked out once per version of the job, by
 * `findings`). A failed scan is not kept: the next ask tries again.
 */
export function problemsOf(replica: Replica, findings: Findings): Promise<ProblemReport> {
  if (replica.problems && !failedScans.has(replica.problems)) return replica.problems
  const task: Promise<ProblemReport> = scanProblems(replica.samples, findings, pauseForPage).catch(
    (error: unknown) => {
      failedScans.add(task)
      throw error
    }
  )
  replica.problems = task
  return task
}
