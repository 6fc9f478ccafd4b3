import type { Statement } from 'better-sqlite3'
import { z } from 'zod'
import type { Db } from './db'
import { Statements } from './statements'
import * as ids from './ids'
import { Listings, type SampleFilter, type Scope } from './listing'
import { Tasks, type Verdict } from './tasks-store'
import type { Order, PageIndex } from './page-index'
import { DatasetRow, LabelRow, RecipeRow, SampleRow, labelName, type StoredLabel } from './rows'

export type { SampleFilter, Scope } from './listing'

/**
 * Datasets, labels and samples in SQLite. Every write is one transaction; counters for stats
 * and `sample_count` change in the same transaction as the rows they count.
 */
export interface NewSample {
  name: string
  time: number
  width: number
  height: number
  format: 'jpg' | 'png' | 'webp'
  labels: StoredLabel[]
  /** How to draw the image when it is first asked for (demo images); null = the file exists. */
  recipe: string | null
}

/** A sample's new labels (all of them: an empty list removes every label), and its size if sent. */
export interface LabelUpdate {
  id: string
  labels: StoredLabel[]
  size?: { width: number; height: number }
}

export type DeleteOutcome = { id: string; deleted: true } | { id: string; deleted: false }

const DATASET_COLUMNS = `id, project_id AS projectId, name, description, type,
  create_time AS createTime, sample_count AS sampleCount, tagged_count AS taggedCount,
  deleted_count AS deletedCount, workspace_id AS workspaceId, version,
  (SELECT count(*) FROM tasks WHERE tasks.dataset_id = datasets.id) AS taskCount`

/** ListDatasets' `dataset_version`: v1 (the documented default), v2, or all. */
export type VersionFilter = 'v1' | 'v2' | 'all'
const SAMPLE_COLUMNS = `samples.id AS id, dataset_id AS datasetId, name, time, tagged, width,
  height, size, format, labels`

/** Colours for labels a client adds through UpdateSamples (the demo's own have theirs). */
const NEW_LABEL_COLORS = ['#bfef45', '#fabed4', '#469990', '#dcbeff', '#9a6324', '#800000']

type LabelCounts = Map<string, { count: number; samples: number }>

/** Adds one sample's labels: one more sample per distinct label, one more count per box. */
function countLabels(counts: LabelCounts, labels: StoredLabel[]): string[] {
  const names = labels.map(labelName)
  const distinct = [...new Set(names)]
  for (const name of distinct) {
    const c = counts.get(name) ?? { count: 0, samples: 0 }
    c.samples += 1
    c.count += names.filter((n) => n === name).length
    counts.set(name, c)
  }
  return distinct
}

const parseRows = <S extends z.ZodType>(schema: S, rows: unknown[]): z.infer<S>[] =>
  rows.map((row) => schema.parse(row))

export class Store {
  private readonly statements: Statements
  private readonly listings: Listings
  readonly tasks: Tasks

  constructor(readonly db: Db) {
    this.statements = new Statements(db)
    this.listings = new Listings(this.statements)
    this.tasks = new Tasks(this.statements)
  }

  private sql(text: string): Statement {
    return this.statements.get(text)
  }

  get pages(): PageIndex {
    return this.listings.pages
  }

  /** Every SQL text prepared so far: the query-plan test checks each one. */
  preparedSql(): string[] {
    return this.statements.texts()
  }

  createDataset(input: {
    projectId: string
    name: string
    description: string
    /** The review type: v1 datasets report it; a v2 dataset's labels show it. */
    type: 0 | 1
    createTime: number
    labels: { name: string; color: string }[]
    workspaceId?: string
    version?: 'v1' | 'v2'
  }): string {
    const id = ids.datasetId()
    this.db.transaction(() => {
      this.sql(
        `INSERT INTO datasets (id, project_id, name, description, type, create_time, workspace_id, version)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`
      ).run(
        id,
        input.projectId,
        input.name,
        input.description,
        input.type,
        input.createTime,
        input.workspaceId ?? '0',
        input.version ?? 'v1'
      )
      input.labels.forEach((label, position) =>
        this.sql('INSERT INTO labels (dataset_id, name, position, color) VALUES (?, ?, ?, ?)').run(
          id,
          label.name,
          position,
          label.color
        )
      )
    })()
    return id
  }

  /** Adds samples in one transaction; their labels must be the dataset's. Returns the new ids. */
  insertSamples(datasetId: string, samples: NewSample[]): string[] {
    const insert = this.sql(
      `INSERT INTO samples (id, dataset_id, name, time, tagged, width, height, format, labels, recipe)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
    )
    const link = this.sql(
      'INSERT INTO sample_labels (dataset_id, label, time, sample_id) VALUES (?, ?, ?, ?)'
    )
    const added = this.db.transaction(() => {
      const counts: LabelCounts = new Map()
      let tagged = 0
      const newIds = samples.map((sample) => {
        const id = ids.hexId()
        const isTagged = sample.labels.length > 0
        if (isTagged) tagged++
        insert.run(
          id,
          datasetId,
          sample.name,
          sample.time,
          isTagged ? 1 : 0,
          sample.width,
          sample.height,
          sample.format,
          JSON.stringify(sample.labels),
          sample.recipe
        )
        for (const name of countLabels(counts, sample.labels))
          link.run(datasetId, name, sample.time, id)
        return id
      })
      this.bumpLabels(datasetId, counts, 1)
      this.sql(
        'UPDATE datasets SET sample_count = sample_count + ?, tagged_count = tagged_count + ? WHERE id = ?'
      ).run(samples.length, tagged, datasetId)
      return newIds
    })()
    this.pages.forget(datasetId)
    return added
  }

  private bumpLabels(datasetId: string, counts: LabelCounts, sign: 1 | -1): void {
    const update = this.sql(
      `UPDATE labels SET count = count + ?, sample_count = sample_count + ?
       WHERE dataset_id = ? AND name = ?`
    )
    for (const [name, c] of counts) {
      const changed = update.run(sign * c.count, sign * c.samples, datasetId, name).changes
      if (changed !== 1) throw new Error(`Label ${name} is not a label of dataset ${datasetId}`)
    }
  }

  listDatasets(
    projectId: string,
    workspaceId: string,
    version: VersionFilter,
    page: number,
    limit: number
  ) {
    const where = `project_id = ? AND workspace_id = ?${version === 'all' ? '' : ' AND version = ?'}`
    const args = version === 'all' ? [projectId, workspaceId] : [projectId, workspaceId, version]
    const total = z.number().parse(
      this.sql(`SELECT count(*) FROM datasets WHERE ${where}`)
        .pluck()
        .get(...args)
    )
    const rows = this.sql(
      `SELECT ${DATASET_COLUMNS} FROM datasets WHERE ${where}
       ORDER BY create_time, id LIMIT ? OFFSET ?`
    ).all(...args, limit, page * limit)
    return { total, rows: parseRows(DatasetRow, rows) }
  }

  createWorkspace(projectId: string, name: string): string {
    const id = ids.hexId()
    this.sql('INSERT INTO workspaces (id, project_id, name) VALUES (?, ?, ?)').run(
      id,
      projectId,
      name
    )
    return id
  }

  /** The project's workspaces after the default one (`0`), by name. */
  workspaces(projectId: string): { id: string; name: string }[] {
    const rows = this.sql('SELECT id, name FROM workspaces WHERE project_id = ? ORDER BY name').all(
      projectId
    )
    return [
      { id: '0', name: 'default' },
      ...rows.map((row) => z.object({ id: z.string(), name: z.string() }).parse(row))
    ]
  }

  /** A dataset of this project, or null (another project's dataset does not exist for it). */
  dataset(projectId: string, id: string): DatasetRow | null {
    const row = this.sql(
      `SELECT ${DATASET_COLUMNS} FROM datasets WHERE id = ? AND project_id = ?`
    ).get(id, projectId)
    return row === undefined ? null : DatasetRow.parse(row)
  }

  labels(datasetId: string): LabelRow[] {
    const rows = this.sql(
      `SELECT name, color, count, sample_count AS sampleCount FROM labels
       WHERE dataset_id = ? ORDER BY position`
    ).all(datasetId)
    return parseRows(LabelRow, rows)
  }

  /** How many samples a filter matches, from the counters (no counting of rows). */
  count(dataset: DatasetRow, filter: SampleFilter): number {
    switch (filter.kind) {
      case 'all':
        return dataset.sampleCount
      case 'tagged':
        return dataset.taggedCount
      case 'untagged':
        return dataset.sampleCount - dataset.taggedCount
      case 'review':
        throw new Error('Review states filter only a labeling task')
      case 'label': {
        const value = this.sql('SELECT sample_count FROM labels WHERE dataset_id = ? AND name = ?')
          .pluck()
          .get(dataset.id, filter.label)
        return typeof value === 'number' ? value : 0
      }
    }
  }

  /** One page (index from 0) of sample ids in (time, id) order, of a dataset or one of its tasks. */
  pageIds(scope: Scope, filter: SampleFilter, order: Order, page: number, limit: number) {
    return this.listings.pageIds(scope, filter, order, page, limit)
  }

  sample(datasetId: string, id: string): SampleRow | null {
    const row = this.sql(
      `SELECT ${SAMPLE_COLUMNS} FROM samples WHERE id = ? AND dataset_id = ?`
    ).get(id, datasetId)
    return row === undefined ? null : SampleRow.parse(row)
  }

  /**
   * Rows for ids, in the order given, leaving out ids that are not in the dataset. One statement
   * for the lot: each statement outside a transaction pays for a WAL read snapshot (~6 µs).
   */
  samples(datasetId: string, sampleIds: string[]): SampleRow[] {
    if (sampleIds.length === 0) return []
    const rows = parseRows(
      SampleRow,
      this.sql(
        // CROSS JOIN pins the loop order: walk the ids, look each up by the unique index.
        `SELECT ${SAMPLE_COLUMNS} FROM json_each(?) AS asked CROSS JOIN samples
         ON samples.id = asked.value WHERE samples.dataset_id = ?`
      ).all(JSON.stringify(sampleIds), datasetId)
    )
    const byId = new Map(rows.map((row) => [row.id, row]))
    return sampleIds.flatMap((id) => {
      const row = byId.get(id)
      return row ? [row] : []
    })
  }

  recipe(sampleId: string): string | null {
    const row = this.sql('SELECT recipe FROM samples WHERE id = ?').get(sampleId)
    return row === undefined ? null : RecipeRow.parse(row).recipe
  }

  /** The byte size of an image rendered on first request, once known. */
  setSize(sampleId: string, size: number): void {
    this.sql('UPDATE samples SET size = ? WHERE id = ? AND size IS NULL').run(size, sampleId)
  }

  /**
   * UpdateSamples: replaces each sample's labels (and size, when given) in one transaction,
   * with the counters and task rows that follow from them. A label name the dataset does not
   * have yet is added to its label list. Answers per sample whether it exists (false: nothing
   * was written for it).
   */
  updateLabels(datasetId: string, updates: readonly LabelUpdate[]): boolean[] {
    const write = this.sql(
      'UPDATE samples SET labels = ?, tagged = ?, width = ?, height = ? WHERE id = ? AND dataset_id = ?'
    )
    const unlink = this.sql(
      'DELETE FROM sample_labels WHERE dataset_id = ? AND label = ? AND time = ? AND sample_id = ?'
    )
    const link = this.sql(
      'INSERT INTO sample_labels (dataset_id, label, time, sample_id) VALUES (?, ?, ?, ?)'
    )
    const found = this.db.transaction(() => {
      const removed: LabelCounts = new Map()
      const added: LabelCounts = new Map()
      let tagged = 0
      const outcomes = updates.map((update) => {
        const row = this.sample(datasetId, update.id)
        if (!row) return false
        for (const name of countLabels(removed, row.labels))
          unlink.run(datasetId, name, row.time, row.id)
        const names = countLabels(added, update.labels)
        this.ensureLabels(datasetId, names)
        for (const name of names) link.run(datasetId, name, row.time, row.id)
        const isTagged = update.labels.length > 0
        tagged += (isTagged ? 1 : 0) - (row.tagged ? 1 : 0)
        write.run(
          JSON.stringify(update.labels),
          isTagged ? 1 : 0,
          update.size?.width ?? row.width,
          update.size?.height ?? row.height,
          row.id,
          datasetId
        )
        this.tasks.relabel(row.id, row.time, update.labels.map(labelName))
        return true
      })
      this.bumpLabels(datasetId, removed, -1)
      this.bumpLabels(datasetId, added, 1)
      this.sql('UPDATE datasets SET tagged_count = tagged_count + ? WHERE id = ?').run(
        tagged,
        datasetId
      )
      return outcomes
    })()
    // Samples moved between filters: the page anchors are rebuilt on the next deep page.
    this.pages.forget(datasetId)
    return found
  }

  /** Labels new to the dataset go at the end of its list (inside the caller's transaction). */
  private ensureLabels(datasetId: string, names: readonly string[]): void {
    const has = this.sql('SELECT 1 FROM labels WHERE dataset_id = ? AND name = ?').pluck()
    for (const name of names) {
      if (has.get(datasetId, name) !== undefined) continue
      const position = z
        .number()
        .parse(
          this.sql('SELECT coalesce(max(position), -1) + 1 FROM labels WHERE dataset_id = ?')
            .pluck()
            .get(datasetId)
        )
      this.sql('INSERT INTO labels (dataset_id, name, position, color) VALUES (?, ?, ?, ?)').run(
        datasetId,
        name,
        position,
        NEW_LABEL_COLORS[position % NEW_LABEL_COLORS.length]
      )
    }
  }

  /**
   * ReviewSamples or AcceptSamples on a task: every verdict written in one transaction, or none
   * when a sample is not the task's (those ids are returned).
   */
  judge(
    datasetId: string,
    taskId: string,
    kind: 'review' | 'check',
    verdicts: Verdict[]
  ): string[] {
    const outside = verdicts.filter((v) => !this.tasks.has(taskId, v.sampleId))
    if (outside.length > 0) return outside.map((v) => v.sampleId)
    this.db.transaction(() => this.tasks.judge(taskId, kind, verdicts))()
    // Samples moved between review states: the page anchors are rebuilt on the next deep page.
    this.pages.forget(datasetId)
    return []
  }

  /**
   * Deletes in one transaction; one outcome per id in request order (a repeated id is deleted
   * once, then missing). Also returns the deleted rows, for their files.
   */
  deleteSamples(datasetId: string, sampleIds: string[]) {
    const unlink = this.sql(
      'DELETE FROM sample_labels WHERE dataset_id = ? AND label = ? AND time = ? AND sample_id = ?'
    )
    const remove = this.sql('DELETE FROM samples WHERE id = ? AND dataset_id = ?')
    const result = this.db.transaction(() => {
      const outcomes: DeleteOutcome[] = []
      const rows: SampleRow[] = []
      const tasksOf = new Map<string, Map<string, number>>()
      const counts: LabelCounts = new Map()
      let tagged = 0
      for (const id of sampleIds) {
        const row = this.sample(datasetId, id)
        if (!row) {
          outcomes.push({ id, deleted: false })
          continue
        }
        tasksOf.set(id, this.tasks.of(id))
        this.tasks.remove(id)
        remove.run(id, datasetId)
        for (const name of countLabels(counts, row.labels))
          unlink.run(datasetId, name, row.time, id)
        if (row.tagged) tagged++
        rows.push(row)
        outcomes.push({ id, deleted: true })
      }
      this.bumpLabels(datasetId, counts, -1)
      this.sql(
        `UPDATE datasets SET sample_count = sample_count - ?, tagged_count = tagged_count - ?,
         deleted_count = deleted_count + ? WHERE id = ?`
      ).run(rows.length, tagged, rows.length, datasetId)
      return { outcomes, rows, tasksOf }
    })()
    this.pages.removed(
      datasetId,
      result.rows.map((row) => ({
        time: row.time,
        id: row.id,
        tagged: row.tagged,
        labels: new Set(row.labels.map(labelName)),
        tasks: result.tasksOf.get(row.id) ?? new Map()
      }))
    )
    return { outcomes: result.outcomes, rows: result.rows }
  }
}
