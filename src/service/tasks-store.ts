import { z } from 'zod'
import type { Statements } from './statements'
import * as ids from './ids'
import type { SampleFilter } from './listing'
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
    const [text, args] =
      filter.kind === 'label'
        ? [
            'SELECT count(*) FROM task_sample_labels WHERE task_id = ? AND label = ?',
            [taskId, filter.label]
          ]
        : filter.kind === 'all'
          ? ['SELECT count(*) FROM task_samples WHERE task_id = ?', [taskId]]
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

  /** The tasks a sample is in (before it is deleted). */
  of(sampleId: string): Set<string> {
    return new Set(
      z
        .array(z.string())
        .parse(
          this.sql.get('SELECT task_id FROM task_samples WHERE sample_id = ?').pluck().all(sampleId)
        )
    )
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
