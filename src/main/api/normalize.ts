import type {
  Box,
  Dataset,
  DatasetType,
  JobStats,
  Label,
  LabelingTask,
  Sample
} from '../../shared/domain'
import { taskJobId } from '../../shared/job-id'
import { boxOfLabel } from '../../shared/label-merge'
import type { WireDataset, WireLabel, WireSample, WireStats, WireWorkforceTask } from './wire'

/** Wire JSON (api.md) to the renderer's types (src/shared/domain.ts). */

export function datasetType(type: number): DatasetType | null {
  if (type === 0) return 'classification'
  if (type === 1) return 'detection'
  return null
}

/** Dataset types that are not images (text, audio, tables, video): listed by the service, not reviewable. */
const NOT_IMAGES = new Set([100, 101, 102, 200, 201, 202, 400, 600])

/**
 * How labels look decides a review type: any box label (type 1, or a default shape of bndbox)
 * is detection; labels without boxes, classification; no labels at all, detection (it shows the
 * tags and any boxes: nothing is hidden).
 */
export function typeFromLabels(
  labels: readonly Pick<WireLabel, 'type' | 'property'>[]
): DatasetType {
  if (labels.some((l) => l.type === 1 || l.property?.['@modelarts:default_shape'] === 'bndbox'))
    return 'detection'
  return labels.length > 0 ? 'classification' : 'detection'
}

/**
 * Old-version datasets carry their review type (0 classification, 1 detection). New-version
 * ones are made by data type and get their labeling type from their tasks; the docs do not say
 * which `dataset_type` such a dataset reports, so any type not known to be something other than
 * images (segmentation, custom format, none at all) is reviewed by its labels' shapes.
 */
export function reviewTypeOf(wire: WireDataset): DatasetType | null {
  const type = wire.dataset_type
  if (type === 0 || type === 1) return datasetType(type)
  if (type !== null && type !== undefined && NOT_IMAGES.has(type)) return null
  return typeFromLabels(wire.labels ?? [])
}

export function normalizeDataset(wire: WireDataset): Dataset | null {
  const type = reviewTypeOf(wire)
  if (!type) return null
  return {
    id: wire.dataset_id,
    name: wire.dataset_name,
    description: wire.description ?? '',
    type,
    createdAt: wire.create_time ?? 0,
    dataPath: wire.data_path ?? wire.data_sources?.find((s) => s.data_path)?.data_path ?? '',
    ...(wire.workforce_task_count != null ? { taskCount: wire.workforce_task_count } : {})
  }
}

const TASK_STATUS: Record<number, LabelingTask['status']> = {
  0: 'starting',
  1: 'running',
  2: 'accepting',
  3: 'accepted',
  5: 'syncing',
  6: 'created',
  7: 'sampling'
}

/** A labeling task as a job: its type from its labels, else its dataset's. */
export function normalizeTask(wire: WireWorkforceTask, dataset: Dataset): LabelingTask {
  const labels = wire.label_stats ?? []
  const stats = wire.sample_stats ?? {}
  return {
    id: taskJobId(dataset.id, wire.task_id),
    datasetId: dataset.id,
    taskId: wire.task_id,
    name: wire.task_name || wire.task_id,
    type: labels.length > 0 ? typeFromLabels(labels) : dataset.type,
    status: TASK_STATUS[wire.status ?? -1] ?? 'unknown',
    samples: {
      total: stats.total_sample_count ?? 0,
      unannotated: stats.unannotated_sample_count ?? 0,
      unreviewed: stats.unreviewed_sample_count ?? 0,
      accepted: stats.accepted_sample_count ?? 0,
      rejected: stats.rejected_sample_count ?? 0
    }
  }
}

export function normalizeLabel(wire: WireLabel): Label {
  const color = wire.property?.['@modelarts:color']
  return {
    name: wire.name,
    type: wire.type === 1 ? 'detection' : 'classification',
    color: typeof color === 'string' && /^#[0-9a-fA-F]{6}$/.test(color) ? color : null
  }
}

function sizeOf(metadata: Record<string, unknown> | null | undefined): Sample['size'] {
  const size = metadata?.['@modelarts:size']
  if (!Array.isArray(size) || size.length < 2) return null
  const [w, h, d] = size.map(Number)
  if (![w, h].every((n) => Number.isFinite(n) && (n ?? -1) >= 0)) return null
  return {
    width: Math.round(w ?? 0),
    height: Math.round(h ?? 0),
    depth: Number.isFinite(d) ? Math.round(d ?? 3) : 3
  }
}

export function normalizeSample(wire: WireSample): Sample {
  const labels = wire.labels ?? []
  const boxes = labels.map(boxOfLabel).filter((b): b is Box => b !== null)
  const tags = [...new Set(labels.map((l) => l.name))]
  return {
    id: wire.sample_id,
    name: wire.sample_name ?? wire.sample_id,
    tags,
    boxes,
    size: sizeOf(wire.metadata),
    annotated: labels.length > 0 || wire.sample_status === 'MANUAL_ANNOTATION',
    time: wire.sample_time ?? 0,
    bytes: wire.sample_size ?? null,
    ...verdictOf(wire)
  }
}

const GRADES = new Set(['A', 'B', 'C', 'D'])

/** The task's verdict on a sample: the owner's acceptance when given, else the reviewer's. */
function verdictOf(wire: WireSample): Pick<Sample, 'verdict'> {
  const pick = (
    stage: 'review' | 'acceptance',
    accept: boolean | null | undefined,
    comment: string | null | undefined,
    score: string | null | undefined
  ): Pick<Sample, 'verdict'> | null =>
    typeof accept === 'boolean'
      ? {
          verdict: {
            stage,
            accept,
            comment: comment ?? '',
            score: score && GRADES.has(score) ? (score as 'A' | 'B' | 'C' | 'D') : null
          }
        }
      : null
  return (
    pick('acceptance', wire.check_accept, wire.check_comment, wire.check_score) ??
    pick('review', wire.review_accept, wire.review_comment, wire.review_score) ??
    {}
  )
}

export function normalizeStats(wire: WireStats): JobStats {
  return {
    labels: wire.label_stats.map((l) => ({
      name: l.name,
      count: l.count,
      sampleCount: l.sample_count
    })),
    all: wire.sample_stats.all,
    tagged: wire.sample_stats.manual_annotation,
    untagged: wire.sample_stats.un_annotation,
    deleted: wire.sample_stats.deleted
  }
}
