import { z } from 'zod'
import type { Statements } from './statements'
import * as ids from './ids'
import { REVIEW_VALUES, type SampleFilter } from './listing'
import { SampleRow, TaskRow, labelName } from './rows'

/**
 * Labeling (workforce) tasks: each covers some samples of its dataset. Membership lives in
 * `task_samples` and `task_sample_labels`, written with the task and removed with the sample
 * (inside the caller's transaction), so a task's listings use the same indexes, filters and
 * page anchors as its dataset's.
 */
export interface NewTask {
  name: string
  /** The review type of its labels: 0 classification, 1 detection. */
  type: 0 | 1
  /** ModelArts' task status (1 = running, 2 = accepting, 3 = accepted, 6 = created, ...). */
  status: number
  createTime: number
}

/** One verdict of ReviewSamples or AcceptSamples. */
export interface Verdict {
  sampleId: string
  accept: boolean
  comment: string
  score: string | null
  workerId: string | null
}

/** A task sample's review and acceptance, as ListSamples and DescribeSample add them. */
export interface ReviewFields {
  review_accept?: boolean
  review_comment?: string
  review_score?: string
  worker_id?: string
  check_accept?: boolean
  check_comment?: string
  check_score?: string
}

const VerdictRow = z.object({
  sample_id: z.string(),
  review: z.number(),
  review_comment: z.string().nullable(),
  review_score: z.string().nullable(),
  worker_id: z.string().nullable(),
  check_accept: z.number().nullable(),
  check_comment: z.string().nullable(),
  check_score: z.string().nullable()
})

const TASK_COLUMNS = 'id, dataset_id AS datasetId, name, type, status, create_time AS createTime'
const Count = z.number()

export class Tasks {
  constructor(private readonly sql: Statements) {}

  /** A task over these samples of the dataset (run it inside a transaction). */
  create(datasetId: string, task: NewTask, sampleIds: readonly string[]): string {
    const id = ids.datasetId()
    this.sql
      .get(
        `INSERT INTO tasks (id, dataset_id, name, type, status, create_time)
         VALUES (?, ?, ?, ?, ?, ?)`
      )
      .run(id, datasetId, task.name, task.type, task.status, task.createTime)
    const member = this.sql.get(
      'INSERT INTO task_samples (task_id, tagged, time, sample_id) VALUES (?, ?, ?, ?)'
    )
    const labelled = this.sql.get(
      'INSERT INTO task_sample_labels (task_id, label, time, sample_id) VALUES (?, ?, ?, ?)'
    )
    const read = this.sql.get(
      'SELECT tagged, time, labels FROM samples WHERE id = ? AND dataset_id = ?'
    )
    for (const sampleId of sampleIds) {
      const row = z
        .object({ tagged: z.number(), time: z.number(), labels: z.string() })
        .parse(read.get(sampleId, datasetId))
      member.run(id, row.tagged, row.time, sampleId)
      const labels = SampleRow.shape.labels.parse(row.labels)
      for (const name of new Set(labels.map(labelName))) labelled.run(id, name, row.time, sampleId)
    }
    return id
  }

  /** A task's status changed (by its owner); false when there is no such task. */
  setStatus(taskId: string, status: number): boolean {
    return (
      this.sql.get('UPDATE tasks SET status = ? WHERE id = ?').run(status, taskId).changes === 1
    )
  }

  list(datasetId: string): TaskRow[] {
    return this.sql
      .get(`SELECT ${TASK_COLUMNS} FROM tasks WHERE dataset_id = ? ORDER BY create_time, id`)
      .all(datasetId)
      .map((row) => TaskRow.parse(row))
  }

  get(datasetId: string, taskId: string): TaskRow | null {
    const row = this.sql
      .get(`SELECT ${TASK_COLUMNS} FROM tasks WHERE id = ? AND dataset_id = ?`)
      .get(taskId, datasetId)
    return row === undefined ? null : TaskRow.parse(row)
  }

  count(taskId: string, filter: SampleFilter): number {
    const [text, args]: [string, (string | number)[]] =
      filter.kind === 'label'
        ? [
            'SELECT count(*) FROM task_sample_labels WHERE task_id = ? AND label = ?',
            [taskId, filter.label]
          ]
        : filter.kind === 'all'
          ? ['SELECT count(*) FROM task_samples WHERE task_id = ?', [taskId]]
          : filter.kind === 'review'
            ? [
                `SELECT count(*) FROM task_samples WHERE task_id = ? AND review IN (${REVIEW_VALUES[filter.state].join(', ')})`,
                [taskId]
              ]
            : [
                'SELECT count(*) FROM task_samples WHERE task_id = ? AND tagged = ?',
                [taskId, filter.kind === 'tagged' ? 1 : 0]
              ]
    return Count.parse(
      this.sql
        .get(text)
        .pluck()
        .get(...args)
    )
  }

  /**
   * Verdicts on samples of the task: `review` (ReviewSamples: accepted or rejected, comment,
   * score, worker) or `check` (AcceptSamples, the owner's acceptance). The last verdict on a
   * sample stands. Run it inside a transaction, after checking every sample is the task's.
   */
  judge(taskId: string, kind: 'review' | 'check', verdicts: readonly Verdict[]): void {
    const write = this.sql.get(
      kind === 'review'
        ? `UPDATE task_samples SET review = ?, review_comment = ?, review_score = ?,
           worker_id = coalesce(?, worker_id) WHERE task_id = ? AND sample_id = ?`
        : `UPDATE task_samples SET check_accept = ?, check_comment = ?, check_score = ?,
           worker_id = coalesce(?, worker_id) WHERE task_id = ? AND sample_id = ?`
    )
    for (const v of verdicts) {
      const accept = kind === 'review' ? (v.accept ? 1 : 2) : v.accept ? 1 : 0
      write.run(accept, v.comment, v.score, v.workerId, taskId, v.sampleId)
    }
  }

  /** The review and acceptance fields of these samples of the task, by sample id. */
  verdicts(taskId: string, sampleIds: readonly string[]): Map<string, ReviewFields> {
    const read = this.sql.get(
      `SELECT sample_id, review, review_comment, review_score, worker_id, check_accept,
       check_comment, check_score FROM task_samples WHERE task_id = ? AND sample_id = ?`
    )
    const out = new Map<string, ReviewFields>()
    for (const id of sampleIds) {
      const raw = read.get(taskId, id)
      // Not the task's sample: nothing to add.
      if (raw === undefined) continue
      const r = VerdictRow.parse(raw)
      out.set(id, {
        ...(r.review === 0
          ? {}
          : {
              review_accept: r.review === 1,
              review_comment: r.review_comment ?? '',
              ...(r.review_score ? { review_score: r.review_score } : {})
            }),
        ...(r.worker_id ? { worker_id: r.worker_id } : {}),
        ...(r.check_accept === null
          ? {}
          : {
              check_accept: r.check_accept === 1,
              check_comment: r.check_comment ?? '',
              ...(r.check_score ? { check_score: r.check_score } : {})
            })
      })
    }
    return out
  }

  has(taskId: string, sampleId: string): boolean {
    return (
      this.sql
        .get('SELECT 1 FROM task_samples WHERE sample_id = ? AND task_id = ?')
        .pluck()
        .get(sampleId, taskId) !== undefined
    )
  }

  /** Label counts in a task: boxes and samples per label (read from its samples' labels). */
  labelCounts(taskId: string): Map<string, { count: number; samples: number }> {
    const counts = new Map<string, { count: number; samples: number }>()
    const rows = this.sql
      .get(
        `SELECT samples.labels AS labels FROM task_samples CROSS JOIN samples
         ON samples.id = task_samples.sample_id WHERE task_samples.task_id = ?`
      )
      .pluck()
      .iterate(taskId)
    for (const text of rows) {
      const names = SampleRow.shape.labels.parse(text).map(labelName)
      for (const name of new Set(names)) {
        const c = counts.get(name) ?? { count: 0, samples: 0 }
        c.samples += 1
        c.count += names.filter((n) => n === name).length
        counts.set(name, c)
      }
    }
    return counts
  }

  /** The tasks a sample is in, with its review state in each (before it is deleted). */
  of(sampleId: string): Map<string, number> {
    const rows = z
      .array(z.tuple([z.string(), z.number()]))
      .parse(
        this.sql
          .get('SELECT task_id, review FROM task_samples WHERE sample_id = ?')
          .raw()
          .all(sampleId)
      )
    return new Map(rows)
  }

  /**
   * A sample's labels changed: its label rows and tagged state in every task it is in (inside
   * the update's transaction).
   */
  relabel(sampleId: string, time: number, names: readonly string[]): void {
    this.sql.get('DELETE FROM task_sample_labels WHERE sample_id = ?').run(sampleId)
    const link = this.sql.get(
      `INSERT INTO task_sample_labels (task_id, label, time, sample_id)
       SELECT task_id, ?, ?, sample_id FROM task_samples WHERE sample_id = ?`
    )
    for (const name of new Set(names)) link.run(name, time, sampleId)
    this.sql
      .get('UPDATE task_samples SET tagged = ? WHERE sample_id = ?')
      .run(names.length > 0 ? 1 : 0, sampleId)
  }

  /** A deleted sample leaves every task (inside the delete's transaction). */
  remove(sampleId: string): void {
    this.sql.get('DELETE FROM task_samples WHERE sample_id = ?').run(sampleId)
    this.sql.get('DELETE FROM task_sample_labels WHERE sample_id = ?').run(sampleId)
  }
}
