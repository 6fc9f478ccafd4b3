import type { DatasetRow, LabelRow, SampleRow, StoredLabel } from './rows'

/** Stored rows to the JSON shapes of api.md (v2) and of the legacy SDK (v1). */

export function wireDataset(row: DatasetRow) {
  return {
    dataset_id: row.id,
    dataset_name: row.name,
    description: row.description,
    dataset_type: row.type,
    create_time: row.createTime,
    data_path: `/tagdeck-local/${row.id}/`,
    total_sample_count: row.sampleCount,
    annotated_sample_count: row.taggedCount
  }
}

const colorProperty = (label: LabelRow) => ({ '@modelarts:color': label.color })

export function wireLabels(dataset: DatasetRow, labels: LabelRow[]) {
  return {
    total_number: labels.length,
    labels: labels.map((l) => ({ name: l.name, type: dataset.type, property: colorProperty(l) }))
  }
}

export function wireStats(dataset: DatasetRow, labels: LabelRow[]) {
  return {
    label_stats: labels.map((l) => ({
      name: l.name,
      type: dataset.type,
      property: colorProperty(l),
      count: l.count,
      sample_count: l.sampleCount
    })),
    sample_stats: {
      all: dataset.sampleCount,
      total: dataset.sampleCount,
      un_annotation: dataset.sampleCount - dataset.taggedCount,
      manual_annotation: dataset.taggedCount,
      deleted: dataset.deletedCount
    }
  }
}

function wireLabel(label: StoredLabel, type: 0 | 1) {
  if (typeof label === 'string') return { name: label, type, property: {} }
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

export function wireSample(row: SampleRow, type: 0 | 1, source: string) {
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
    metadata: { '@modelarts:size': [row.width, row.height, 3] }
  }
}

/** The legacy SDK's image: tag names (classification) or `{tag, pos}` boxes plus `size`. */
export function v1Image(row: SampleRow, type: 0 | 1) {
  if (type === 0)
    return { image_id: row.id, tags: row.labels.map((l) => (typeof l === 'string' ? l : l[0])) }
  return {
    image_id: row.id,
    tags: row.labels.map((l) =>
      typeof l === 'string' ? { tag: l, pos: [] } : { tag: l[0], pos: [l[1], l[2], l[3], l[4]] }
    ),
    size: [row.width, row.height, 3]
  }
}
