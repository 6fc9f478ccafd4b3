import { useLiveQuery } from 'dexie-react-hooks'
import type { Sample } from '../../../shared/domain'
import type { LabelSet } from '../../../shared/labels'
import type { EditRow, EditStatus } from '../offline'
import { offline } from './offline'
import type { JobKey } from './types'
import { UNDO_GRACE_MS } from './deletions'
import { getSettings } from '../settings'

export type { EditRow, EditStatus }

/**
 * Review edits (an image's labels changed, a verdict) through the offline layer: shown at once
 * everywhere, queued with the deletions, sent after the undo window when the service is
 * reachable, and never over a colleague's change (main merges; a clash waits for the reviewer).
 */

/** How long a change waits before it is sent (the settings' undo window, and its grace). */
function holdMs(): number {
  const window = getSettings().undoWindowSeconds * 1000
  return window > 0 ? window + UNDO_GRACE_MS : 0
}

/** The reviewer's labels for an image (`origins`: see `Offline.editLabels`). */
export const editLabels = (
  job: JobKey,
  shown: Sample,
  mine: LabelSet,
  origins: (number | null)[]
): Promise<string | null> => offline().editLabels(job, shown, mine, origins, holdMs())

export const judge = (
  job: JobKey,
  sample: Pick<Sample, 'id' | 'name'>,
  verdict: NonNullable<EditRow['verdict']>
): Promise<string | null> => offline().judge(job, sample, verdict, holdMs())

export const judgeMany = (
  job: JobKey,
  sampleIds: readonly string[],
  verdict: NonNullable<EditRow['verdict']>
): Promise<string[]> => offline().judgeMany(job, sampleIds, verdict, holdMs())

export const addTags = (
  job: JobKey,
  sampleIds: readonly string[],
  tags: readonly string[]
): Promise<string[]> => offline().addTags(job, sampleIds, tags, holdMs())

export const undoEdit = (editId: string) => offline().undoEdit(editId)
export const discardEdit = (editId: string) => offline().discardEdit(editId)
export const retryEdits = (editIds: readonly string[]) => offline().retryEdits(editIds)
export const resolveConflict = (editId: string, choice: 'theirs' | 'mine') =>
  offline().resolveConflict(editId, choice)

/**
 * One image's edits, following every change to them (undefined until read; none without an
 * image). Read by key: a decision on another image of the job does not read them again.
 */
export function useSampleEdits(job: JobKey, sampleId: string | undefined): EditRow[] | undefined {
  return useLiveQuery(
    () => (sampleId === undefined ? [] : offline().sampleEdits(job, sampleId)),
    [job.connectionId, job.jobId, sampleId]
  )
}

/** Edits of some statuses, oldest first, for the "Pending changes" panel. */
export function useEditRows(statuses: readonly EditStatus[], limit = 200): EditRow[] | undefined {
  return useLiveQuery(() => offline().editRows(statuses, limit), [statuses.join(), limit])
}
