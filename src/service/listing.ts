import { z } from 'zod'
import { PageIndex, STRIDE, type Anchor, type Order, type RemovedRow } from './page-index'
import { KeyRow } from './rows'
import type { Statements } from './statements'

/**
 * Which samples a listing shows and in what order: each filter maps to the index that serves it
 * in (time, id) order, and deep pages start from the page index's nearest anchor.
 */
export type SampleFilter =
  | { kind: 'all' }
  | { kind: 'tagged' }
  | { kind: 'untagged' }
  | { kind: 'label'; label: string }
  /** A task's samples by review state (tasks only). */
  | { kind: 'review'; state: ReviewState }

export type ReviewState = 'unreviewed' | 'reviewed' | 'accepted' | 'rejected'

/** `task_samples.review` values each review state lists. */
export const REVIEW_VALUES: Record<ReviewState, number[]> = {
  unreviewed: [0],
  reviewed: [1, 2],
  accepted: [1],
  rejected: [2]
}

interface Source {
  table: string
  idColumn: string
  where: string
  args: (string | number)[]
}

/** A dataset's samples, or those of one of its labeling tasks. */
export interface Scope {
  datasetId: string
  taskId: string | null
}

function sourceOf(scope: Scope, filter: SampleFilter): Source {
  const { datasetId, taskId } = scope
  if (taskId !== null) {
    // A task's membership tables mirror the dataset's: the same filters, the same key order.
    if (filter.kind === 'label')
      return {
        table: 'task_sample_labels',
        idColumn: 'sample_id',
        where: 'task_id = ? AND label = ?',
        args: [taskId, filter.label]
      }
    if (filter.kind === 'all')
      return { table: 'task_samples', idColumn: 'sample_id', where: 'task_id = ?', args: [taskId] }
    if (filter.kind === 'review') {
      const values = REVIEW_VALUES[filter.state]
      return {
        table: 'task_samples',
        idColumn: 'sample_id',
        where: `task_id = ? AND review IN (${values.map(() => '?').join(', ')})`,
        args: [taskId, ...values]
      }
    }
    return {
      table: 'task_samples',
      idColumn: 'sample_id',
      where: 'task_id = ? AND tagged = ?',
      args: [taskId, filter.kind === 'tagged' ? 1 : 0]
    }
  }
  switch (filter.kind) {
    case 'review':
      throw new Error('Review states filter only a labeling task')
    case 'all':
      return { table: 'samples', idColumn: 'id', where: 'dataset_id = ?', args: [datasetId] }
    case 'tagged':
    case 'untagged':
      return {
        table: 'samples',
        idColumn: 'id',
        where: 'dataset_id = ? AND tagged = ?',
        args: [datasetId, filter.kind === 'tagged' ? 1 : 0]
      }
    case 'label':
      return {
        table: 'sample_labels',
        idColumn: 'sample_id',
        where: 'dataset_id = ? AND label = ?',
        args: [datasetId, filter.label]
      }
  }
}

function includes(scope: Scope, filter: SampleFilter, row: RemovedRow): boolean {
  if (scope.taskId !== null && !row.tasks.has(scope.taskId)) return false
  if (filter.kind === 'all') return true
  if (filter.kind === 'tagged') return row.tagged
  if (filter.kind === 'untagged') return !row.tagged
  if (filter.kind === 'review')
    return REVIEW_VALUES[filter.state].includes(row.tasks.get(scope.taskId ?? '') ?? 0)
  return row.labels.has(filter.label)
}

const Ids = z.array(z.string())

export class Listings {
  readonly pages = new PageIndex()

  constructor(private readonly sql: Statements) {}

  /** One page (index from 0) of sample ids. */
  pageIds(scope: Scope, filter: SampleFilter, order: Order, page: number, limit: number) {
    const source = sourceOf(scope, filter)
    const dir = order === 'asc' ? 'ASC' : 'DESC'
    const orderBy = `ORDER BY time ${dir}, ${source.idColumn} ${dir}`
    const head = `SELECT ${source.idColumn} FROM ${source.table} WHERE ${source.where}`
    const key = `${scope.datasetId}|${scope.taskId ?? ''}|${JSON.stringify(filter)}|${order}`
    const listing = {
      datasetId: scope.datasetId,
      order,
      includes: (row: RemovedRow) => includes(scope, filter, row)
    }
    const { anchor, skip } = this.pages.locate(key, listing, page * limit, () =>
      this.anchors(source, orderBy)
    )
    if (!anchor)
      return Ids.parse(
        this.sql
          .get(`${head} ${orderBy} LIMIT ? OFFSET ?`)
          .pluck()
          .all(...source.args, limit, skip)
      )
    const cmp = order === 'asc' ? '>=' : '<='
    return Ids.parse(
      this.sql
        .get(`${head} AND (time, ${source.idColumn}) ${cmp} (?, ?) ${orderBy} LIMIT ? OFFSET ?`)
        .pluck()
        .all(...source.args, anchor.time, anchor.id, limit, skip)
    )
  }

  /** The key at every STRIDE-th position: one walk of the covering index. */
  private anchors(source: Source, orderBy: string): Anchor[] {
    const anchors: Anchor[] = []
    const keys = this.sql
      .get(`SELECT time, ${source.idColumn} FROM ${source.table} WHERE ${source.where} ${orderBy}`)
      .raw()
    let pos = 0
    for (const key of keys.iterate(...source.args)) {
      if (pos % STRIDE === 0) {
        const [time, id] = KeyRow.parse(key)
        anchors.push({ time, id, pos })
      }
      pos++
    }
    return anchors
  }
}
