import { z } from 'zod'

/**
 * The v2 wire shapes (api.md), parsed leniently: the real cloud sends many more fields than
 * we read, and zod drops them. Only what the normalizers need is required.
 */
const num = z.coerce.number()

export const WireLabel = z.object({
  name: z.string(),
  type: num.default(0),
  property: z.record(z.string(), z.unknown()).nullish()
})
export type WireLabel = z.infer<typeof WireLabel>

export const WireDataset = z.object({
  dataset_id: z.string(),
  dataset_name: z.string().default(''),
  description: z.string().nullish(),
  // Absent on some new-version datasets (made by data type): decided from their labels.
  dataset_type: num.nullish(),
  create_time: num.nullish(),
  data_path: z.string().nullish(),
  // ListDatasets documents the data path under data_sources[], not at the top.
  data_sources: z.array(z.object({ data_path: z.string().nullish() })).nullish(),
  workforce_task_count: num.nullish(),
  labels: z.array(WireLabel).nullish()
})
export type WireDataset = z.infer<typeof WireDataset>

export const WireDatasetList = z.object({
  total_number: num.default(0),
  datasets: z.array(WireDataset).default([])
})

export const WireLabelList = z.object({ labels: z.array(WireLabel).default([]) })

export const WireStats = z.object({
  label_stats: z
    .array(
      z.object({
        name: z.string(),
        count: num.default(0),
        sample_count: num.default(0)
      })
    )
    .default([]),
  sample_stats: z
    .object({
      all: num.default(0),
      total: num.nullish(),
      un_annotation: num.default(0),
      manual_annotation: num.default(0),
      deleted: num.default(0)
    })
    .default({ all: 0, un_annotation: 0, manual_annotation: 0, deleted: 0 })
})
export type WireStats = z.infer<typeof WireStats>

export const WireSample = z.object({
  sample_id: z.string(),
  sample_name: z.string().nullish(),
  sample_status: z.string().nullish(),
  sample_size: num.nullish(),
  sample_time: num.nullish(),
  source: z.string().nullish(),
  labels: z.array(WireLabel).nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  // A labeling task's sample: the reviewer's verdict and the owner's acceptance.
  review_accept: z.boolean().nullish(),
  review_comment: z.string().nullish(),
  review_score: z.string().nullish(),
  check_accept: z.boolean().nullish(),
  check_comment: z.string().nullish(),
  check_score: z.string().nullish()
})
export type WireSample = z.infer<typeof WireSample>

export const WireSampleList = z.object({
  sample_count: num.default(0),
  samples: z.array(WireSample).default([])
})

/**
 * A label exactly as the service holds it, every field and property kept (the normalizers read
 * `WireLabel`): what a label change starts from and sends back, so nothing Tagdeck does not
 * understand is lost.
 */
export const RawLabel = z.looseObject({
  name: z.string(),
  type: z.number().optional(),
  property: z.record(z.string(), z.unknown()).nullish()
})
export type RawLabel = z.infer<typeof RawLabel>

/** DescribeSample read for a label change: the sample's labels untouched. */
export const WireRawSample = z.object({
  sample_id: z.string(),
  labels: z.array(RawLabel).nullish()
})

/** ReviewSamples and AcceptSamples answer `{}`. */
export const WireEmpty = z.object({})

/**
 * DeleteSamples' and UpdateSamples' answer: per-item results in request order, without sample
 * ids.
 */
export const WireDeleteResult = z.object({
  success: z.boolean(),
  error_code: z.string().nullish(),
  error_msg: z.string().nullish(),
  results: z
    .array(
      z.object({
        success: z.boolean(),
        error_code: z.string().nullish(),
        error_msg: z.string().nullish()
      })
    )
    .nullish()
})
export type WireDeleteResult = z.infer<typeof WireDeleteResult>

/** ListWorkspace (`GET /v1/{project_id}/workspaces`); the default workspace's id is 0 (a number, in its example). */
export const WireWorkspaceList = z.object({
  workspaces: z
    .array(
      z.object({
        id: z.union([z.string(), z.number()]).transform(String),
        name: z.string().default('')
      })
    )
    .default([])
})

/** ListWorkforceTasks: a dataset's labeling tasks. */
export const WireWorkforceTask = z.object({
  task_id: z.string(),
  task_name: z.string().default(''),
  dataset_id: z.string().nullish(),
  status: num.nullish(),
  label_stats: z.array(z.object({ name: z.string(), type: num.default(0) })).nullish(),
  sample_stats: z
    .object({
      total_sample_count: num.default(0),
      unannotated_sample_count: num.default(0),
      unreviewed_sample_count: num.default(0),
      accepted_sample_count: num.default(0),
      rejected_sample_count: num.default(0)
    })
    .partial()
    .nullish()
})
export type WireWorkforceTask = z.infer<typeof WireWorkforceTask>

export const WireWorkforceTaskList = z.object({
  count: num.default(0),
  tasks: z.array(WireWorkforceTask).default([])
})
