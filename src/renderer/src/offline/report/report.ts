import type { LabelSet } from '../../../../shared/labels'
import type {
  EditRow,
  JobKey,
  OutboxError,
  StoredEditStatus,
  StoredStatus,
  TagdeckDb
} from '../store/db'
import { outboxId, outboxOfJob } from '../store/db'
import { flyingEdits, flyingIds } from '../store/batches'
import { jobLog } from './log'
import { noChange, perMinute, summariseLabels, type LabelSummary } from './summary'

/**
 * A job's review report (the log read with where each change stands): every deletion, verdict
 * and label change made here, one entry per image and change, oldest first. Database reads
 * only, so `liveQuery` can follow it while the sync sends what waits.
 */

/** Where a change stands: waiting (`pending`, also while signed out), on its way, or done. */
export type ReportState =
  'pending' | 'sending' | 'sent' | 'conflict' | 'parked' | 'failed' | 'discarded'

export const REPORT_STATES: readonly ReportState[] = [
  'pending',
  'sending',
  'sent',
  'conflict',
  'parked',
  'failed',
  'discarded'
]

export interface ReportEntry {
  /** The log entry's id (a deletion's: its entry's, then the sample's). */
  id: string
  kind: 'delete' | 'labels' | 'verdict'
  sampleId: string
  name: string | null
  /** When the change was first made; when it last changed. */
  at: number
  updatedAt: number
  state: ReportState
  /** Why it was refused or parked (null otherwise). */
  error: OutboxError | null
  verdict: { stage: string; accept: boolean; comment: string; score: string } | null
  labels: { before: LabelSet; after: LabelSet; summary: LabelSummary } | null
  /** The change met a colleague's: waiting for the reviewer (null), or settled as mine or theirs. */
  conflict: { resolved: 'mine' | 'theirs' | null } | null
}

const EDIT_STATE: Record<StoredEditStatus, ReportState> = {
  queued: 'pending',
  paused: 'pending',
  conflict: 'conflict',
  parked: 'parked',
  failed: 'failed'
}
const DELETION_STATE: Record<StoredStatus, ReportState> = {
  queued: 'pending',
  paused: 'pending',
  failed: 'failed'
}

export async function reviewReport(db: TagdeckDb, job: JobKey): Promise<ReportEntry[]> {
  const [log, edits, groups, flying, flyingEdit] = await Promise.all([
    jobLog(db, job).toArray(),
    db.edits.where('[connectionId+jobId]').equals([job.connectionId, job.jobId]).toArray(),
    outboxOfJob(db, job).toArray(),
    flyingIds(db, job.connectionId),
    flyingEdits(db, job.connectionId)
  ])
  const waitingEdits = new Map<string, EditRow>()
  for (const row of edits) if (row.logId) waitingEdits.set(row.logId, row)
  const deletions = new Map<string, { state: ReportState; error: OutboxError | null }>()
  for (const group of groups) {
    const state = flying.has(group.id) ? 'sending' : DELETION_STATE[group.status]
    for (const key of group.keys) deletions.set(key, { state, error: group.lastError })
  }
  const entries: ReportEntry[] = []
  for (const entry of log) {
    const { at, updatedAt } = entry
    if (entry.kind === 'delete') {
      for (const { sampleId, name } of entry.samples) {
        const waiting = deletions.get(outboxId(job.connectionId, job.jobId, sampleId))
        const discarded = entry.discarded.includes(sampleId)
        entries.push({
          id: `${entry.id}/${sampleId}`,
          kind: 'delete',
          sampleId,
          name,
          at,
          updatedAt,
          state: discarded ? 'discarded' : (waiting?.state ?? 'sent'),
          error: discarded ? null : (waiting?.error ?? null),
          verdict: null,
          labels: null,
          conflict: null
        })
      }
      continue
    }
    const row = waitingEdits.get(entry.id)
    const rowState = row && (flyingEdit.has(row.id) ? 'sending' : EDIT_STATE[row.status])
    const state = rowState || (entry.discarded ? 'discarded' : 'sent')
    const labels = entry.labels && {
      before: entry.labels.base,
      after: entry.labels.mine,
      summary: summariseLabels(entry.labels)
    }
    // An edit that only put boxes in another order changed nothing worth reporting.
    if (labels && noChange(labels.summary)) continue
    entries.push({
      id: entry.id,
      kind: entry.kind,
      sampleId: entry.sampleId,
      name: entry.name,
      at,
      updatedAt,
      state,
      error: row && (state === 'failed' || state === 'parked') ? row.lastError : null,
      verdict: entry.verdict && {
        stage: entry.verdict.stage,
        accept: entry.verdict.accept,
        comment: entry.verdict.comment,
        score: entry.verdict.score
      },
      labels,
      conflict:
        state === 'conflict' || entry.resolved !== null ? { resolved: entry.resolved } : null
    })
  }
  // The log is read in time order, queue order within a moment, a group's samples as queued.
  return entries
}

/** The entries of a sitting: the changes first made since it started. */
export const sittingEntries = (entries: readonly ReportEntry[], since: number): ReportEntry[] =>
  entries.filter((e) => e.at >= since)

export interface ReportCounts {
  /** Distinct images changed. */
  images: number
  deleted: number
  accepted: number
  rejected: number
  labelChanges: number
  conflicts: number
  byState: Record<ReportState, number>
  /** Images reviewed per minute (null until two decisions apart in time). */
  perMinute: number | null
}

export function countReport(entries: readonly ReportEntry[]): ReportCounts {
  const byState = Object.fromEntries(REPORT_STATES.map((s) => [s, 0])) as Record<
    ReportState,
    number
  >
  const counts: ReportCounts = {
    images: new Set(entries.map((e) => e.sampleId)).size,
    deleted: 0,
    accepted: 0,
    rejected: 0,
    labelChanges: 0,
    conflicts: 0,
    byState,
    perMinute: perMinute(entries)
  }
  for (const e of entries) {
    byState[e.state] += 1
    if (e.conflict) counts.conflicts += 1
    if (e.state === 'discarded') continue
    if (e.kind === 'delete') counts.deleted += 1
    else if (e.verdict) counts[e.verdict.accept ? 'accepted' : 'rejected'] += 1
    else counts.labelChanges += 1
  }
  return counts
}
