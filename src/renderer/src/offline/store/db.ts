import { Dexie, type Table } from 'dexie'
import type {
  Dataset,
  JobStats,
  Label,
  LabelingTask,
  Sample,
  TagFilter
} from '../../../../shared/domain'
import type {
  BoxConflict,
  LabelEditOutcome,
  LabelSet,
  Verdict,
  VerdictOutcome,
  VerdictStage
} from '../../../../shared/labels'
import { logWaitingChanges } from './log-upgrade'

/**
 * The renderer's offline memory (IndexedDB through Dexie). One typed database per profile;
 * `openTagdeckDb(name)` lets tests open a fresh one each. Status fields are strings because
 * booleans cannot be indexed.
 */

/** A job on a connection. */
export interface JobKey {
  connectionId: string
  jobId: string
}

/**
 * One filter of a job read at one page size: the service's total and which queued deletions
 * fall inside it. `hidden` maps a sample id to its offset in the cached pages (-1: matches the
 * filter but its page is not cached), so reads skip it and counts drop it.
 */
export interface ListingRow extends JobKey {
  filterKey: string
  filter: TagFilter
  perPage: number
  /** The service's total, as of `fetchedAt`. */
  total: number
  fetchedAt: number
  /** Pages fetched before this moment are out of date (a sync moved offsets): revalidate. */
  staleAt: number | null
  hidden: Record<string, number>
  /** Pages written into it so far (absent: none since version 6), so a holder of them can tell. */
  writes?: number
}

/**
 * One page as the service returned it, in the listing's current offsets. The samples ride
 * along so a cached page reads in two or three gets; its `pageIds` twin finds the pages a
 * sample is on (see `page-rows.ts`, which every write of pages goes through).
 */
export interface PageRow extends JobKey {
  filterKey: string
  perPage: number
  page: number
  sampleIds: string[]
  samples: Sample[]
  fetchedAt: number
  lastUsedAt: number
  /** Rough size of the page and its samples in the database, for the cache cap. */
  bytes: number
}

/** A page's key: its listing's, then the page number. */
export type PageKey = [string, string, string, number, number]

/**
 * The sample ids of one cached page (same key), read to find the pages holding a sample: as
 * JSON text, which a read copies whole and a search for one id need not parse (a 100,000-image
 * job's 1,000 rows as arrays were 100,000 strings to build for every lookup).
 */
export interface PageIdsRow extends JobKey {
  filterKey: string
  perPage: number
  page: number
  ids: string
}

/** One sample read on its own (the viewer's `samples.get`), fresher than its page maybe. */
export interface SampleRow extends JobKey {
  sampleId: string
  sample: Sample
  lastSeen: number
}

/** Labels, stats and change counters of a job. */
export interface JobRow extends JobKey {
  labels: Label[] | null
  labelsAt: number | null
  /** As the service reported them; reads subtract the outbox. */
  stats: JobStats | null
  statsAt: number | null
  /** Bumped whenever the service's offsets may have moved (a batch sent, a rebase). */
  generation: number
  /** Bumped whenever what a reader sees may have changed; `watchJob` listens to it. */
  version: number
}

/**
 * Where a deletion stands. Groups store `queued`, `failed` or `paused`; `sending` is derived:
 * a queued group named by an `inflight` batch (so sending costs no write per group).
 */
export type OutboxStatus = 'queued' | 'sending' | 'failed' | 'paused'
export type StoredStatus = Exclude<OutboxStatus, 'sending'>

export interface OutboxError {
  code: string
  message: string
}

/** A sample to delete, as it was when queued: for the panel and the counts. */
export interface QueuedSample {
  sampleId: string
  /** null: never cached (name and tags unknown). */
  name: string | null
  tags: string[] | null
  boxTags: string[]
}

/**
 * Deletions of one job queued together (one delete, or up to `OUTBOX_GROUP` samples of a
 * selection), which share a status and a schedule until the service answers for them. One
 * record per group, not per sample: a 10,000-image selection is 100 records to write, send
 * and take out, not 10,000 (in Chromium, a tenth of the time). Callers never see groups: they
 * hold one deletion id per sample (`outboxId`), which the multi-entry `keys` index finds.
 */
export interface OutboxRow extends JobKey, DeletionState {
  /** The group's own id; sorts by queueing time (see `groupId`). */
  id: string
  /** The deletion id (`connectionId/jobId/sampleId`) of each sample, as in `samples`. */
  keys: string[]
  samples: QueuedSample[]
  /** How many samples (indexed: the counts read keys only, never the samples). */
  size: number
}

/** Where queued deletions stand, and since when. */
export interface DeletionState {
  status: StoredStatus
  /** Attempts that failed as a whole (network, 5xx) or for these items. */
  attempts: number
  nextAttemptAt: number
  createdAt: number
  updatedAt: number
  lastError: OutboxError | null
}

/** Most samples in one outbox group: one DeleteSamples call's worth. */
export const OUTBOX_GROUP = 100

/** How many samples these groups (or batches in flight) hold. */
export const samplesIn = (groups: readonly { size: number }[]): number =>
  groups.reduce((n, g) => n + g.size, 0)

/**
 * A batch of outbox groups on its way to the service: one record, written before the request.
 * Its samples cannot be undone any more. A runner that dies leaves it behind; the next one
 * drops it and sends the groups again (a deleted sample then answers "not found": done).
 */
export interface InFlightRow extends JobKey {
  id: string
  groupIds: string[]
  /** Samples in those groups. */
  size: number
  startedAt: number
}

/**
 * Samples the service confirmed, moved out of the outbox in one record per job and answer. They stay
 * hidden and subtracted from counts until `rebaseJob` folds them into the cached pages.
 */
export interface SettledRow extends JobKey {
  id: string
  rows: SettledSample[]
  at: number
}

/** What a confirmed deletion still needs: which sample, and what it took from the counts. */
export type SettledSample = Pick<QueuedSample, 'sampleId' | 'tags' | 'boxTags'>

/**
 * Where a review edit stands: `queued` (undoable), `sending`, `failed` (the service refused it),
 * `paused` (sign in again), `conflict` (a colleague changed the image: the reviewer chooses) or
 * `parked` (the task no longer takes the verdict: kept with the reason, not retried). `sending`
 * is not stored: it is a queued edit named by a batch in flight (`editFlight`), as a deletion's
 * group is `sending` while an `inflight` batch names it, so sending rewrites no edit.
 */
export type EditStatus = 'queued' | 'sending' | 'failed' | 'paused' | 'conflict' | 'parked'
export type StoredEditStatus = Exclude<EditStatus, 'sending'>

/** A reviewer's change of an image's labels: as they saw them, and as they want them. */
export interface LabelChange {
  base: LabelSet
  mine: LabelSet
  /** For each of mine's boxes, the base box it was made from (null: drawn new). */
  origins: (number | null)[]
  cleared: boolean
}

/**
 * A review edit of one image, waiting for the service: its labels changed, or a verdict. One
 * row per image and kind (`editId`): a second change of the same image replaces `mine` and
 * remembers the one before (`history`), so undo steps back through them until it is sent.
 */
export interface EditRow extends JobKey {
  id: string
  sampleId: string
  /** The image's name when edited (the panel and the report show it). */
  name: string | null
  kind: 'labels' | 'verdict'
  labels: LabelChange | null
  verdict: (Omit<Verdict, 'sampleId'> & { stage: VerdictStage }) | null
  /** Earlier states of this edit, newest last (undo pops one). */
  history: { labels: LabelChange | null; verdict: EditRow['verdict'] }[]
  status: StoredEditStatus
  attempts: number
  nextAttemptAt: number
  createdAt: number
  updatedAt: number
  lastError: OutboxError | null
  /** Why it was not sent: what the service holds now, and the boxes both changed. */
  conflict: { reason: 'boxes' | 'empty'; theirs: LabelSet; boxes: BoxConflict[] } | null
  /** Its entry in the review log (`reviewLog`; absent in rows written before schema v9). */
  logId?: string
}

/** A batch of review edits on its way to the service: while it is, they read as `sending`. */
export interface EditFlightRow extends JobKey {
  id: string
  editIds: string[]
  startedAt: number
  /**
   * The service's answer, one outcome per edit in `editIds`' order, once it came: the batch is
   * confirmed and waits to be folded (`foldAnswers`); its edits read as `sending` until then.
   */
  outcomes?: (LabelEditOutcome | VerdictOutcome)[]
}

/** An edit's id: one per image and kind. */
export const editId = (job: JobKey, sampleId: string, kind: EditRow['kind']): string =>
  `${job.connectionId}/${job.jobId}/${sampleId}/${kind}`

export type OfflinePhase = 'pages' | 'thumb' | 'full' | 'done'
export type OfflineState = 'running' | 'paused' | 'done' | 'error'

/** "Make available offline" of a job: the pin and the resumable download. */
export interface OfflineJobRow extends JobKey {
  pin: 'pinned' | 'unpinned'
  filter: TagFilter
  includeFull: boolean
  phase: OfflinePhase
  state: OfflineState
  pagesDone: number
  pagesTotal: number
  /** Position in the job's samples of the current image phase. */
  imagesDone: number
  imagesFailed: number
  imagesTotal: number
  bytes: number
  startedAt: number
  updatedAt: number
  lastError: string | null
  /** What the job's row should say about why it is not available (absent in older rows). */
  problem?: OfflineProblem | null
}

/**
 * The disk would not take the images (`neededBytes`: the estimate of what the rest needs), or
 * the startup check found images of a finished download missing from main's cache.
 */
export type OfflineProblem =
  | { kind: 'disk'; code: string; neededBytes: number | null; freeBytes: number | null }
  | { kind: 'missing'; missing: number; total: number }

export interface SyncProgress {
  done: number
  total: number
  startedAt: number
}

/** What the sync runner (in whichever window holds the lock) last said. */
export interface SyncStateRow {
  key: 'engine'
  lastSyncAt: number | null
  lastError: (OutboxError & { at: number }) | null
  progress: SyncProgress | null
}

/** A connection whose queue waits for the user to sign in again. */
export interface PauseRow {
  connectionId: string
  reason: 'auth'
  message: string
  since: number
}

/** A dataset's labeling tasks as last read from the service (its task list offline). */
export interface TaskListRow {
  connectionId: string
  datasetId: string
  tasks: LabelingTask[]
  fetchedAt: number
}

/** A connection's job list as last read from the service (the job list offline). */
export interface JobListRow {
  connectionId: string
  /** The workspace it lists (absent in rows written before workspaces: the default, `0`). */
  workspaceId?: string
  datasets: Dataset[]
  fetchedAt: number
}

/**
 * The near-duplicate signature of one sample's thumbnail (`replica/near-duplicates.ts`),
 * worked out as the thumbnail was cached (`signatures/`); null: a flat image, which has none.
 */
export interface SignatureRow extends JobKey {
  sampleId: string
  signature: Float32Array | null
}

/**
 * The review log (`report/`): what a reviewer changed in a job, kept after the change reached
 * the service (edits and outbox groups leave once sent). One entry per edit of an image (its
 * `logId`, while the edit waits), or per deletion queued, in groups as the outbox has them.
 * Where an entry stands is read off the edit or the outbox group while it waits; an entry
 * whose edit or deletion left them without being discarded was sent.
 */
export type ReviewLogRow = EditLogRow | DeletionLogRow

interface LogRowBase extends JobKey {
  id: string
  /** When it was first queued. */
  at: number
  /** When it last changed (a second change of the image, an undo step, a resolution). */
  updatedAt: number
}

/** An edit's entry: the edit as it stands (or stood when sent). */
export interface EditLogRow extends LogRowBase, Pick<EditRow, 'labels' | 'verdict'> {
  kind: 'labels' | 'verdict'
  sampleId: string
  name: string | null
  editId: string
  /** Given up by the reviewer (a failed or parked edit discarded, or a conflict left as theirs). */
  discarded: boolean
  /** A conflict the reviewer settled, and how (null: none, or not settled yet). */
  resolved: 'mine' | 'theirs' | null
}

/** Deletions queued together (up to `OUTBOX_GROUP`), as the outbox groups them. */
export interface DeletionLogRow extends LogRowBase {
  kind: 'delete'
  samples: { sampleId: string; name: string | null }[]
  /** Those of `samples` given up (a failed deletion discarded: the image stays). */
  discarded: string[]
}

/**
 * The signatures of one chunk of thumbnails as main answered them, in one row: IndexedDB's cost
 * is per row (10,000 rows of one signature each cost Chromium 2-3 s, a download's whole time).
 * `packId` is the chunk's size and first sample id (`packKey`), so a chunk fetched again
 * replaces its row and counting needs only the keys. `values` holds 48 per sample, in the
 * order of `sampleIds`; a flat image's are all zero (a signature never is).
 */
export interface SignaturePackRow extends JobKey {
  packId: string
  sampleIds: string[]
  values: Float32Array
}

export type TagdeckDb = Dexie & {
  listings: Table<ListingRow, [string, string, string, number]>
  pages: Table<PageRow, PageKey>
  pageIds: Table<PageIdsRow, PageKey>
  samples: Table<SampleRow, [string, string, string]>
  jobs: Table<JobRow, [string, string]>
  outbox: Table<OutboxRow, string>
  inflight: Table<InFlightRow, string>
  settled: Table<SettledRow, string>
  offlineJobs: Table<OfflineJobRow, [string, string]>
  syncState: Table<SyncStateRow, string>
  pauses: Table<PauseRow, string>
  jobLists: Table<JobListRow, string>
  edits: Table<EditRow, string>
  taskLists: Table<TaskListRow, [string, string]>
  signatures: Table<SignatureRow, [string, string, string]>
  reviewLog: Table<ReviewLogRow, string>
  signaturePacks: Table<SignaturePackRow, [string, string, string]>
  editFlight: Table<EditFlightRow, string>
}

/** The stores of schema versions 1 and 2 (kept whole: the upgrade test opens a version 2). */
export const SCHEMA_V1 = {
  listings: '[connectionId+jobId+filterKey+perPage], [connectionId+jobId]',
  pages:
    '[connectionId+jobId+filterKey+perPage+page], [connectionId+jobId+filterKey+perPage], [connectionId+jobId], lastUsedAt, *sampleIds',
  samples: '[connectionId+jobId+sampleId], [connectionId+jobId]',
  jobs: '[connectionId+jobId]',
  outbox:
    'id, [status+createdAt], [connectionId+jobId+status+createdAt], [connectionId+status], [connectionId+jobId]',
  offlineJobs: '[connectionId+jobId], state',
  syncState: 'key',
  pauses: 'connectionId'
}
export const SCHEMA_V2 = { ...SCHEMA_V1, jobLists: 'connectionId' }

/** The pages' primary key, and their `pageIds` twins'. */
const PAGE_KEY = '[connectionId+jobId+filterKey+perPage+page]'

export function openTagdeckDb(name = 'tagdeck'): TagdeckDb {
  const db = new Dexie(name) as TagdeckDb
  db.version(1).stores(SCHEMA_V1)
  db.version(2).stores(SCHEMA_V2)
  // Batches in flight and confirmed deletions live in records of their own (one write per batch
  // instead of one per row); due rows are found by index, oldest due first, then by id.
  db.version(3)
    .stores({
      outbox:
        'id, [status+createdAt], [connectionId+jobId+status+createdAt], [connectionId+status], [connectionId+jobId], [connectionId+jobId+status+nextAttemptAt+id]',
      inflight: 'id, [connectionId+jobId]',
      settled: 'id, [connectionId+jobId]'
    })
    .upgrade(async (tx) => {
      const outbox = tx.table<LegacyRow, string>('outbox')
      const withStatus = (status: LegacyRow['status']) =>
        outbox.where('[status+createdAt]').between([status, Dexie.minKey], [status, Dexie.maxKey])
      const done = await withStatus('done').toArray()
      const now = Date.now()
      for (const { rows, ...job } of groupByJob(done)) {
        const settled = rows.map(({ sampleId, tags, boxTags }) => ({ sampleId, tags, boxTags }))
        const id = `upgrade/${job.connectionId}/${job.jobId}`
        await tx.table('settled').add({ ...job, id, rows: settled, at: now })
      }
      await outbox.bulkDelete(done.map((r) => r.id))
      await withStatus('sending').modify({ status: 'queued' })
    })
  // Fewer outbox indexes: each costs every queued and every sent row an entry to write and
  // one to delete. A job's rows are read through the due index's [connectionId+jobId] prefix.
  db.version(4).stores({
    outbox: `id, [status+createdAt], [connectionId+status], ${DUE_INDEX}`
  })
  // One record per group of samples instead of one per sample (see `OutboxRow`): the rows of
  // version 4 become groups of up to 100 that share a job and a state. Batches in flight named
  // the old rows: they are dropped, so their samples go out again (a re-sent delete is done).
  db.version(5)
    .stores({ outbox: `id, [status+createdAt], ${COUNT_INDEX}, ${DUE_INDEX}, *keys` })
    .upgrade(async (tx) => {
      const outbox = tx.table<SampleRowV4 | OutboxRow, string>('outbox')
      const old = (await outbox.toArray()).filter((r): r is SampleRowV4 => 'sampleId' in r)
      await outbox.bulkDelete(old.map((r) => r.id))
      await outbox.bulkAdd(groupsOfV4(old))
      await tx.table('inflight').clear()
    })
  // Pages lose their indexes but the one eviction orders by (the rest are ranges of the primary
  // key): the multi-entry index of sample ids cost every page written a hundred entries, and a
  // page's ids now sit in a row of their own, `pageIds` (see `page-rows.ts`).
  db.version(6)
    .stores({ pages: `${PAGE_KEY}, lastUsedAt`, pageIds: PAGE_KEY })
    .upgrade(async (tx) => {
      const ids: PageIdsRow[] = []
      await tx
        .table<PageRow, PageKey>('pages')
        .each(({ connectionId, jobId, filterKey, perPage, page, sampleIds }) =>
          ids.push({
            connectionId,
            jobId,
            filterKey,
            perPage,
            page,
            ids: JSON.stringify(sampleIds)
          })
        )
      await tx.table('pageIds').bulkAdd(ids)
    })
  // Review edits (labels, verdicts) beside the deletions: one row per image and kind; and the
  // datasets' task lists, so a task made available offline opens offline.
  db.version(7).stores({ edits: EDITS_SCHEMA, taskLists: '[connectionId+datasetId]' })
  // Near-duplicate signatures, a job's found by the [connectionId+jobId] prefix of the key.
  db.version(8).stores({ signatures: '[connectionId+jobId+sampleId]' })
  // The review log (report/log.ts), a job's entries by time; what waits already gets entries.
  db.version(9)
    .stores({ reviewLog: REVIEW_LOG_SCHEMA })
    .upgrade((tx) => logWaitingChanges(tx))
  // Near-duplicate signatures a chunk of thumbnails a row, as a download stores them
  // (`signatures/packs.ts`).
  db.version(10).stores({ signaturePacks: '[connectionId+jobId+packId]' })
  // Review edits in flight named by a record per batch, not rewritten as `sending` (a write per
  // edit, twice: sync-edits.ts); rows an older version left `sending` are queued again.
  db.version(11)
    .stores({ editFlight: 'id' })
    .upgrade((tx) =>
      tx
        .table('edits')
        .where('[status+nextAttemptAt]')
        .between(['sending', Dexie.minKey], ['sending', Dexie.maxKey])
        .modify({ status: 'queued' })
    )
  return db
}

/** The review log's index: a job's entries, in the order they were first queued. */
export const REVIEW_LOG_SCHEMA = 'id, [connectionId+jobId+at]'

/** The edits' indexes: a job's, and the sync's (by status, then due time). */
export const EDITS_SCHEMA =
  'id, [connectionId+jobId], [status+nextAttemptAt], [connectionId+status]'

/** The outbox index the counts read (keys only) and a connection's groups by status are found by. */
export const COUNT_INDEX = '[connectionId+status+size]'

/** A connection's outbox groups of one status. */
export function groupsWithStatus(db: TagdeckDb, connectionId: string, status: StoredStatus) {
  return db.outbox
    .where(COUNT_INDEX)
    .between([connectionId, status, Dexie.minKey], [connectionId, status, Dexie.maxKey])
}

/** The outbox index the sync engine sends by: a job's rows by status, then due time, then id. */
export const DUE_INDEX = '[connectionId+jobId+status+nextAttemptAt+id]'

/** Every outbox row of a job, whatever its status (a prefix range of the due index). */
export function outboxOfJob(db: TagdeckDb, job: JobKey) {
  return db.outbox
    .where(DUE_INDEX)
    .between(
      [job.connectionId, job.jobId, Dexie.minKey],
      [job.connectionId, job.jobId, Dexie.maxKey],
      true,
      true
    )
}

/** The groups holding any of these deletion ids (each once). */
export function groupsHolding(db: TagdeckDb, deletionIds: readonly string[]): Promise<OutboxRow[]> {
  if (deletionIds.length === 0) return Promise.resolve([])
  return db.outbox
    .where('keys')
    .anyOf([...deletionIds])
    .distinct()
    .toArray()
}

/** Which of these deletion ids are in the outbox (reads index keys only). */
export async function queuedKeys(
  db: TagdeckDb,
  deletionIds: readonly string[]
): Promise<Set<string>> {
  if (deletionIds.length === 0) return new Set()
  const keys = await db.outbox
    .where('keys')
    .anyOf([...deletionIds])
    .keys()
  return new Set(keys as string[])
}

/** An outbox row of versions 2 to 4: one per sample (version 2 also had `sending`, `done`). */
interface SampleRowV4 extends JobKey, QueuedSample, DeletionState {
  id: string
}
type LegacyRow = Omit<SampleRowV4, 'status'> & { status: StoredStatus | 'sending' | 'done' }

/** Version 4's rows as groups: runs of rows in id order that share a job and a state. */
function groupsOfV4(rows: readonly SampleRowV4[]): OutboxRow[] {
  const state = (r: SampleRowV4) =>
    JSON.stringify([r.connectionId, r.jobId, r.status, r.attempts, r.nextAttemptAt, r.lastError])
  const groups: OutboxRow[] = []
  let last: { state: string; group: OutboxRow } | null = null
  for (const row of [...rows].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const { id, sampleId, name, tags, boxTags, ...rest } = row
    if (last?.state !== state(row) || last.group.keys.length >= OUTBOX_GROUP) {
      last = {
        state: state(row),
        group: { ...rest, id: groupId(row.createdAt), keys: [], samples: [], size: 0 }
      }
      groups.push(last.group)
    }
    last.group.keys.push(id)
    last.group.samples.push({ sampleId, name, tags, boxTags })
    last.group.size += 1
    last.group.createdAt = Math.min(last.group.createdAt, row.createdAt)
  }
  return groups
}

/** Rows grouped by their job, in order of first appearance. */
export function groupByJob<T extends JobKey>(rows: readonly T[]): (JobKey & { rows: T[] })[] {
  const jobs = new Map<string, JobKey & { rows: T[] }>()
  for (const row of rows) {
    const key = `${row.connectionId}/${row.jobId}`
    const job = jobs.get(key) ?? { connectionId: row.connectionId, jobId: row.jobId, rows: [] }
    job.rows.push(row)
    jobs.set(key, job)
  }
  return [...jobs.values()]
}

let shared: TagdeckDb | null = null

/** The app's database. */
export function getDb(): TagdeckDb {
  shared ??= openTagdeckDb()
  return shared
}

/** A deletion's id, as callers hold it: one per sample of a job. */
export const outboxId = (connectionId: string, jobId: string, sampleId: string): string =>
  `${connectionId}/${jobId}/${sampleId}`

let groupSeq = 0

/**
 * A new outbox group's id: its queueing time first, so groups of one moment sort in the order
 * they were made (the due index breaks ties by id), then a counter and a random part.
 */
export function groupId(now: number): string {
  groupSeq = (groupSeq + 1) % 1_000_000
  const time = Math.max(0, Math.floor(now)).toString(36).padStart(10, '0')
  return `${time}-${groupSeq.toString(36).padStart(4, '0')}-${crypto.randomUUID()}`
}

export function filterKey(filter: TagFilter): string {
  return filter.kind === 'tag' ? `tag:${filter.tag}` : filter.kind
}

export function emptyJob(key: JobKey): JobRow {
  return {
    ...key,
    labels: null,
    labelsAt: null,
    stats: null,
    statsAt: null,
    generation: 0,
    version: 0
  }
}

/** Bumps a job's counters inside the caller's transaction. */
export async function touchJob(
  db: TagdeckDb,
  key: JobKey,
  change: { generation?: boolean }
): Promise<JobRow> {
  const row = (await db.jobs.get([key.connectionId, key.jobId])) ?? emptyJob(key)
  const next = {
    ...row,
    version: row.version + 1,
    generation: row.generation + (change.generation ? 1 : 0)
  }
  await db.jobs.put(next)
  return next
}
