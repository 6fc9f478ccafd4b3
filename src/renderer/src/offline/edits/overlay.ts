import type { Sample } from '../../../../shared/domain'
import { withLabels } from '../../../../shared/labels'
import { editId, type EditRow, type JobKey, type TagdeckDb } from '../store/db'

/** How review edits show: every read puts a job's edits on top of the samples it returns. */

/** The edits of a job, by image (database only: liveQuery-safe). */
export async function jobEdits(db: TagdeckDb, job: JobKey): Promise<Map<string, EditRow[]>> {
  const rows = await db.edits
    .where('[connectionId+jobId]')
    .equals([job.connectionId, job.jobId])
    .toArray()
  const bySample = new Map<string, EditRow[]>()
  for (const row of rows) {
    const list = bySample.get(row.sampleId) ?? []
    list.push(row)
    bySample.set(row.sampleId, list)
  }
  return bySample
}

/** The image as the reviewer left it: their labels and their verdict on top of the service's. */
export function overlay(sample: Sample, edits: readonly EditRow[] | undefined): Sample {
  if (!edits) return sample
  let shown = sample
  for (const edit of edits) {
    if (edit.labels) shown = withLabels(shown, edit.labels.mine)
    if (edit.verdict) {
      const { stage, accept, comment, score } = edit.verdict
      shown = { ...shown, verdict: { stage, accept, comment, score } }
    }
  }
  return shown
}

/** Every sample with its edits on top (the same array when the job has none). */
export function overlayAll(samples: Sample[], edits: Map<string, EditRow[]>): Sample[] {
  if (edits.size === 0) return samples
  return samples.map((s) => overlay(s, edits.get(s.id)))
}

/** One image's edits (both kinds). */
export async function sampleEdits(
  db: TagdeckDb,
  job: JobKey,
  sampleId: string
): Promise<EditRow[]> {
  const rows = await db.edits.bulkGet([
    editId(job, sampleId, 'labels'),
    editId(job, sampleId, 'verdict')
  ])
  return rows.filter((r): r is EditRow => r !== undefined)
}

/** These samples with their edits on top (a page the cache or the service gave). */
export async function withEdits(db: TagdeckDb, job: JobKey, samples: Sample[]): Promise<Sample[]> {
  if (samples.length === 0) return samples
  const keys = samples.flatMap((s) => [editId(job, s.id, 'labels'), editId(job, s.id, 'verdict')])
  const rows = (await db.edits.bulkGet(keys)).filter((r): r is EditRow => r !== undefined)
  if (rows.length === 0) return samples
  const bySample = new Map<string, EditRow[]>()
  for (const row of rows) bySample.set(row.sampleId, [...(bySample.get(row.sampleId) ?? []), row])
  return overlayAll(samples, bySample)
}
