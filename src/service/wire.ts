import { boxOf, labelName } from './rows'
import type { DatasetRow, LabelRow, SampleRow, StoredLabel, TaskRow } from './rows'

/** Stored rows to the JSON shapes of api.md (v2) and of the legacy SDK (v1). */

/**
 * A dataset as ListDatasets and DescribeDataset answer. A new-version (v2) dataset is made by
 * data type: it carries no labeling `dataset_type` (the docs do not say what the cloud reports
 * for one; Tagdeck's client reads the type from the labels either way), and its path is under
 * `data_sources`, where the docs put it.
 */
export function wireDataset(row: DatasetRow, labels: LabelRow[] | null) {
  const path = `/tagdeck-local/${row.id}/`
  return {
    dataset_id: row.id,
    dataset_name: row.name,
    description: row.description,
    ...(row.version === 'v1' ? { dataset_type: row.type, data_path: path } : {}),
    data_sources: [{ data_path: path, data_type: 0 }],
    workspace_id: row.workspaceId,
    workforce_task_count: row.taskCount,
    create_time: row.createTime,
    total_sample_count: row.sampleCount,
    annotated_sample_count: row.taggedCount,
    ...(labels === null ? {} : { labels: wireLabels(row, labels).labels })
  }
}

const colorProperty = (label: LabelRow) => ({ '@modelarts:color': label.color })

/** Detection labels say so in their type and their default shape. */
function labelProperty(type: 0 | 1, label: LabelRow) {
  return type === 1
    ? { ...colorProperty(label), '@modelarts:default_shape': 'bndbox' }
    : colorProperty(label)
}

export function wireLabels(dataset: Pick<DatasetRow, 'type'>, labels: LabelRow[]) {
  return {
    total_number: labels.length,
    labels: labels.map((l) => ({
      name: l.name,
      type: dataset.type,
      property: labelProperty(dataset.type, l)
    }))
  }
}

/** Counts a stats answer is made of: a dataset's counters, or a task's. */
export interface StatsCounts {
  all: number
  tagged: number
  deleted: number
}

export function datasetCounts(dataset: DatasetRow): StatsCounts {
  return { all: dataset.sampleCount, tagged: dataset.taggedCount, deleted: dataset.deletedCount }
}

export function wireStats(type: 0 | 1, labels: LabelRow[], counts: StatsCounts) {
  return {
    label_stats: labels.map((l) => ({
      name: l.name,
      type,
      property: colorProperty(l),
      count: l.count,
      sample_count: l.sampleCount
    })),
    sample_stats: {
      all: counts.all,
      total: counts.all,
      un_annotation: counts.all - counts.tagged,
      manual_annotation: counts.tagged,
      deleted: counts.deleted
    }
  }
}

/** ListWorkforceTasks' task, with the counts the docs list (reviews are not kept here: 0). */
export function wireTask(
  task: TaskRow,
  labels: LabelRow[],
  counts: { all: number; untagged: number }
) {
  return {
    task_id: task.id,
    task_name: task.name,
    dataset_id: task.datasetId,
    status: task.status,
    create_time: task.createTime,
    label_stats: labels.map((l) => ({
      name: l.name,
      type: task.type,
      property: colorProperty(l),
      count: l.count,
      sample_count: l.sampleCount
    })),
    sample_stats: {
      total_sample_count: counts.all,
      unannotated_sample_count: counts.untagged,
      unreviewed_sample_count: counts.all - counts.untagged,
      accepted_sample_count: 0,
      rejected_sample_count: 0
    }
  }
}

function wireLabel(label: StoredLabel, type: 0 | 1) {
  if (typeof label === 'string') return { name: label, type, property: {} }
  if (!Array.isArray(label)) return label
  const [name, x1, y1, x2, y2] = label
  return {
    name,
    type,
    property: {
      '@modelarts:shape': 'bndbox',
      '@modelarts:feature': [
        [x1, y1],
        [x2, y2]
      ]
    }
  }
}

export function wireSample(row: SampleRow, type: 0 | 1, source: string, extra: object = {}) {
  return {
    sample_id: row.id,
    sample_name: row.name,
    sample_type: 0,
    sample_status: row.tagged ? 'MANUAL_ANNOTATION' : 'UN_ANNOTATION',
    // Known once the image exists (demo images are drawn on first request).
    ...(row.size === null ? {} : { sample_size: row.size }),
    sample_time: row.time,
    source,
    labels: row.labels.map((label) => wireLabel(label, type)),
    metadata: { '@modelarts:size': [row.width, row.height, 3] },
    ...extra
  }
}

/** The legacy SDK's image: tag names (classification) or `{tag, pos}` boxes plus `size`. */
export function v1Image(row: SampleRow, type: 0 | 1) {
  if (type === 0) return { image_id: row.id, tags: row.labels.map(labelName) }
  return {
    image_id: row.id,
    tags: row.labels.map((l) => ({ tag: labelName(l), pos: boxOf(l) ?? [] })),
    size: [row.width, row.height, 3]
  }
}
