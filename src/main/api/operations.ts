import type {
  Dataset,
  DeleteOutcome,
  JobStats,
  Label,
  LabelingTask,
  Sample,
  SamplePage,
  TagFilter,
  Workspace
} from '../../shared/domain'
import { TagdeckError, type TagdeckErrorPayload } from '../../shared/errors'
import { parseJobId, taskAsJob } from '../../shared/job-id'
import { mapLimit } from '../map-limit'
import { labelSetOfRaw, mergeLabels } from '../../shared/label-merge'
import type {
  LabelEdit,
  LabelEditOutcome,
  LabelSet,
  Verdict,
  VerdictOutcome,
  VerdictStage
} from '../../shared/labels'
import type { CallOptions, ListSamplesQuery, ModelArtsClient, WireComment } from './modelarts'
import {
  normalizeDataset,
  normalizeLabel,
  normalizeSample,
  normalizeStats,
  normalizeTask
} from './normalize'
import type { RawLabel, WireDeleteResult } from './wire'

/**
 * The vendor SDK's operations (api.md, "Operations the product must offer") with their
 * meaning, plus what the UI needs around them. Everything returned is a src/shared type.
 */

/** The SDK's untagged marker for `show_images_by_tag`. */
export const UNTAGGED = '__none__'
/** Asks ListSamples / DescribeSample for thumbnail source URLs. */
export const THUMB_PROCESS = 'image/resize,m_lfit,h_200'
/** The SDK sends at most this many ids per DeleteSamples call. */
export const DELETE_CHUNK = 100
const SAMPLE_NOT_FOUND = 'ModelArts.4420'
/** The task is not in the state that takes these verdicts (the local service's code). */
const TASK_STATE = 'ModelArts.4621'
/** Label reads in flight at once before a label change is sent. */
const EDIT_READS = 8
const DATASET_PAGE = 100
/** Every account's workspace; ListDatasets' documented default. */
export const DEFAULT_WORKSPACE = '0'

export interface ListedPage {
  page: SamplePage
  /** Thumbnail source URLs that came with the page, so thumbnails need no extra lookup. */
  thumbSources: { id: string; source: string }[]
}

/** A sample's new label list, as UpdateSamples sends it. */
export interface LabelReplacement {
  id: string
  labels: RawLabel[]
}

export type LabelOutcome =
  | { id: string; status: 'updated' }
  | { id: string; status: 'gone'; code: string }
  | { id: string; status: 'failed'; code: string; message: string }

export interface SampleResult {
  id: string
  sample: Sample | null
  error: TagdeckErrorPayload | null
}

function filterQuery(filter: TagFilter): Pick<ListSamplesQuery, 'labelName' | 'sampleState'> {
  switch (filter.kind) {
    case 'everything':
      return {}
    case 'tagged':
      return { sampleState: '__ALL__' }
    case 'untagged':
      return { sampleState: '__NONE__' }
    case 'tag':
      return { labelName: filter.tag }
  }
}

function toPayload(error: unknown): TagdeckErrorPayload {
  if (error instanceof TagdeckError) return error.toPayload()
  return { code: 'internal', message: error instanceof Error ? error.message : String(error) }
}

export class Operations {
  constructor(
    private readonly client: ModelArtsClient,
    private readonly concurrency = 6
  ) {}

  /** show_images_by_tag: no tag = every tagged image; `__none__` = untagged; page from 1. */
  async showImagesByTag(
    jobId: string,
    options: { tag?: string; perPage: number; page: number },
    call?: CallOptions
  ): Promise<SamplePage> {
    const filter: TagFilter =
      options.tag === undefined
        ? { kind: 'tagged' }
        : options.tag === UNTAGGED
          ? { kind: 'untagged' }
          : { kind: 'tag', tag: options.tag }
    return (await this.listPage(jobId, filter, options.page, options.perPage, call)).page
  }

  async listPage(
    jobId: string,
    filter: TagFilter,
    page: number,
    perPage: number,
    call?: CallOptions
  ): Promise<ListedPage> {
    const { data } = await this.client.listSamples(
      jobId,
      // The order the grid shows, sent every time: the cloud's default is not ours.
      {
        offset: page - 1,
        limit: perPage,
        order: 'asc',
        processParameter: THUMB_PROCESS,
        ...filterQuery(filter)
      },
      call
    )
    return {
      page: { total: data.sample_count, page, perPage, samples: data.samples.map(normalizeSample) },
      thumbSources: data.samples.flatMap((s) =>
        s.source ? [{ id: s.sample_id, source: s.source }] : []
      )
    }
  }

  /** get_image_info_by_id: one image's tags, boxes and size. */
  async getImageInfoById(jobId: string, sampleId: string, call?: CallOptions): Promise<Sample> {
    const { data } = await this.client.describeSample(jobId, sampleId, call)
    return normalizeSample(data)
  }

  /** get_image_info_by_ids: request order kept; a failure is reported for its id, not thrown. */
  getImageInfoByIds(jobId: string, ids: string[], call?: CallOptions): Promise<SampleResult[]> {
    return mapLimit(ids, this.concurrency, async (id) => {
      try {
        return { id, sample: await this.getImageInfoById(jobId, id, call), error: null }
      } catch (error) {
        if (call?.signal?.aborted) throw error
        return { id, sample: null, error: toPayload(error) }
      }
    })
  }

  /**
   * Where an image's bytes are: a presigned URL that needs no credentials. Thumbnails come
   * with the listing they were seen in (ListSamples documents `process_parameter`); DescribeSample
   * does not document it, so it is never asked for a thumbnail: a thumbnail with no listing at
   * hand is the image itself, which the grid scales down.
   */
  async imageSource(jobId: string, sampleId: string, call?: CallOptions) {
    const { data } = await this.client.describeSample(jobId, sampleId, call)
    if (!data.source)
      throw new TagdeckError({ code: 'not_found', message: `Sample ${sampleId} has no image` })
    return data.source
  }

  /** delete_selected_image: one id. */
  async deleteSelectedImage(jobId: string, sampleId: string): Promise<DeleteOutcome> {
    const [outcome] = await this.deleteSamples(jobId, [sampleId])
    if (!outcome) throw new TagdeckError({ code: 'internal', message: 'No delete outcome' })
    return outcome
  }

  /**
   * Dataset.delete_samples: chunks of at most 100 ids, one outcome per id in request order.
   * "Sample not found" means someone already deleted it: `gone`, which counts as done. A chunk
   * that fails as a whole (network, auth, 5xx after retries) throws; calling again is safe.
   */
  async deleteSamples(jobId: string, ids: string[]): Promise<DeleteOutcome[]> {
    const outcomes: DeleteOutcome[] = []
    for (let start = 0; start < ids.length; start += DELETE_CHUNK) {
      const chunk = ids.slice(start, start + DELETE_CHUNK)
      const { data } = await this.client.deleteSamples(jobId, chunk)
      const results = data.results ?? null
      const clean =
        data.success &&
        (results === null || (results.length === chunk.length && results.every((r) => r.success)))
      if (clean) outcomes.push(...chunk.map((id) => ({ id, status: 'deleted' as const })))
      else outcomes.push(...(await this.settleDeletes(jobId, chunk, data)))
    }
    return outcomes
  }

  /**
   * A DeleteSamples answer that is not a plain success. Its per-item results carry no sample
   * ids, so they are trusted only where they line up with the request (as many as asked) and
   * say success, or the documented "sample not found"; every other sample is read back: one
   * the service no longer has is deleted, one it still has failed, with the service's reason.
   */
  private async settleDeletes(
    jobId: string,
    chunk: string[],
    data: WireDeleteResult
  ): Promise<DeleteOutcome[]> {
    const results = data.results ?? []
    const aligned = results.length === chunk.length
    const known = new Map<string, DeleteOutcome>()
    const unsure: { id: string; code?: string; message?: string }[] = []
    chunk.forEach((id, index) => {
      const result = aligned ? results[index] : undefined
      if (result?.success) known.set(id, { id, status: 'deleted' })
      else if (result?.error_code === SAMPLE_NOT_FOUND)
        known.set(id, { id, status: 'gone', code: SAMPLE_NOT_FOUND })
      else
        unsure.push({
          id,
          code: result?.error_code ?? data.error_code ?? undefined,
          message: result?.error_msg ?? data.error_msg ?? undefined
        })
    })
    const read = await this.getImageInfoByIds(
      jobId,
      unsure.map((u) => u.id)
    )
    read.forEach(({ id, sample, error }, index) => {
      if (sample === null && error?.code !== 'not_found')
        // Neither the answer nor a read says what happened: the chunk fails as a whole.
        throw new TagdeckError(error ?? { code: 'internal', message: `No answer for ${id}` })
      const said = unsure[index]
      known.set(
        id,
        sample === null
          ? { id, status: 'deleted' }
          : {
              id,
              status: 'failed',
              code: said?.code ?? 'unknown',
              message: said?.message ?? 'The service did not delete it and did not say why'
            }
      )
    })
    return chunk.map((id) => known.get(id) ?? { id, status: 'failed', code: 'unknown' })
  }

  /**
   * A sample's labels exactly as the service holds them, every field and property kept: what a
   * label change is made on (null when the sample is gone).
   */
  async rawLabels(jobId: string, sampleId: string): Promise<RawLabel[] | null> {
    try {
      const { data } = await this.client.describeRawSample(jobId, sampleId)
      return data.labels ?? []
    } catch (error) {
      if (error instanceof TagdeckError && error.code === 'not_found') return null
      throw error
    }
  }

  /**
   * UpdateSamples: each sample's whole label list replaced, in chunks of 100, one outcome per
   * sample in request order: `updated`, `gone` (the service has no such sample, or not in this
   * task) or `failed` with the service's reason. A chunk that fails as a whole throws; sending
   * the same lists again is harmless (they replace, they do not add).
   */
  async replaceLabels(jobId: string, updates: LabelReplacement[]): Promise<LabelOutcome[]> {
    const outcomes: LabelOutcome[] = []
    for (let start = 0; start < updates.length; start += DELETE_CHUNK) {
      const chunk = updates.slice(start, start + DELETE_CHUNK)
      const { data } = await this.client.updateSamples(
        jobId,
        chunk.map((u) => ({ sample_id: u.id, labels: u.labels }))
      )
      const results = data.results ?? null
      // Per-item results carry no ids: trusted only when there is one per sample asked.
      const aligned = results !== null && results.length === chunk.length
      chunk.forEach(({ id }, i) => {
        const result = aligned ? results[i] : undefined
        if (result?.success || (data.success && !aligned)) outcomes.push({ id, status: 'updated' })
        else if (result?.error_code === SAMPLE_NOT_FOUND)
          outcomes.push({ id, status: 'gone', code: SAMPLE_NOT_FOUND })
        else
          outcomes.push({
            id,
            status: 'failed',
            code: result?.error_code ?? data.error_code ?? 'unknown',
            message: result?.error_msg ?? data.error_msg ?? 'The service did not say why'
          })
      })
    }
    return outcomes
  }

  /**
   * Reviewers' label edits, never overwriting a colleague: each sample's labels are read again
   * right before sending and the edit merged with them (shared/label-merge.ts); conflicts are
   * answered, not sent. One outcome per edit, in order. A read or a chunk that fails as a whole
   * throws (the caller sends again later: the merge makes a re-send harmless).
   */
  async applyLabelEdits(jobId: string, edits: LabelEdit[]): Promise<LabelEditOutcome[]> {
    const held = await mapLimit(edits, EDIT_READS, (e) => this.rawLabels(jobId, e.sampleId))
    const outcomes: LabelEditOutcome[] = []
    const sends: { index: number; merged: boolean; result: LabelSet }[] = []
    const replacements: LabelReplacement[] = []
    edits.forEach((edit, index) => {
      const theirs = held[index]
      const { sampleId } = edit
      if (theirs === null)
        return void (outcomes[index] = { sampleId, status: 'gone', code: SAMPLE_NOT_FOUND })
      const merge = mergeLabels(edit, theirs)
      if (merge.kind === 'unchanged')
        outcomes[index] = { sampleId, status: 'unchanged', result: labelSetOfRaw(theirs) }
      else if (merge.kind === 'conflict') {
        const { reason, theirs: theirLabels, boxes } = merge
        outcomes[index] = {
          sampleId,
          status: 'conflict',
          conflict: { reason, theirs: theirLabels, boxes }
        }
      } else {
        sends.push({ index, merged: merge.merged, result: merge.result })
        replacements.push({ id: sampleId, labels: merge.labels })
      }
    })
    const replaced = await this.replaceLabels(jobId, replacements)
    replaced.forEach((outcome, k) => {
      const { index, merged, result } = sends[k]
      const sampleId = edits[index].sampleId
      outcomes[index] =
        outcome.status === 'updated'
          ? { sampleId, status: merged ? 'merged' : 'updated', result }
          : {
              sampleId,
              status: outcome.status,
              code: outcome.code,
              message: 'message' in outcome ? outcome.message : undefined
            }
    })
    return outcomes
  }

  /**
   * Verdicts on a task's samples, each with its fate: the service takes a call all or none, so
   * a task in the wrong state parks them all (with the service's reason), and a refusal over a
   * sample the task no longer holds is resolved by sending them one by one.
   */
  async applyVerdicts(
    jobId: string,
    stage: VerdictStage,
    verdicts: Verdict[]
  ): Promise<VerdictOutcome[]> {
    const wire = (v: Verdict): WireComment => ({
      sample_id: v.sampleId,
      accept: v.accept,
      comment: v.comment,
      score: v.score
    })
    try {
      await this.judge(jobId, stage, verdicts.map(wire))
      return verdicts.map((v) => ({ sampleId: v.sampleId, status: 'done' }))
    } catch (error) {
      const code = error instanceof TagdeckError ? error.service?.errorCode : undefined
      if (code === TASK_STATE) {
        const message = (error as TagdeckError).message
        return verdicts.map((v) => ({ sampleId: v.sampleId, status: 'parked', code, message }))
      }
      if (code !== SAMPLE_NOT_FOUND) throw error
      if (verdicts.length === 1)
        return [{ sampleId: verdicts[0].sampleId, status: 'gone', code: SAMPLE_NOT_FOUND }]
      const each: VerdictOutcome[] = []
      for (const v of verdicts) each.push(...(await this.applyVerdicts(jobId, stage, [v])))
      return each
    }
  }

  /**
   * A reviewer's verdicts (ReviewSamples) or the owner's acceptance (AcceptSamples) on a task's
   * samples: one call, all taken or none (the service refuses every one if the task is not in
   * the state that takes them, or a sample is not the task's, and says why).
   */
  async judge(jobId: string, kind: 'review' | 'acceptance', verdicts: WireComment[]) {
    await this.client.judgeSamples(jobId, kind, verdicts)
  }

  /**
   * The image datasets of a workspace (the default one, `0`, unless told), old- and new-version
   * alike; datasets that are not images (text, audio, tables, video) are left out.
   */
  async listDatasets(workspaceId = DEFAULT_WORKSPACE, call?: CallOptions): Promise<Dataset[]> {
    const found = new Map<string, Dataset>()
    for (let page = 0; ; page++) {
      const { data } = await this.client.listDatasets(page, DATASET_PAGE, workspaceId, call)
      for (const wire of data.datasets) {
        const dataset = normalizeDataset(wire)
        if (dataset) found.set(dataset.id, dataset)
      }
      if (data.datasets.length < DATASET_PAGE || (page + 1) * DATASET_PAGE >= data.total_number)
        break
    }
    return [...found.values()]
  }

  /** The account's workspaces, the default one first. */
  async listWorkspaces(call?: CallOptions): Promise<Workspace[]> {
    const { data } = await this.client.listWorkspaces(call)
    const all = data.workspaces.map((w) => ({ id: w.id, name: w.name || w.id }))
    if (!all.some((w) => w.id === DEFAULT_WORKSPACE))
      all.unshift({ id: DEFAULT_WORKSPACE, name: 'default' })
    return all.sort(
      (a, b) => Number(b.id === DEFAULT_WORKSPACE) - Number(a.id === DEFAULT_WORKSPACE)
    )
  }

  /** A dataset's labeling tasks, each openable as a job (`<dataset>~<task>`). */
  async listTasks(datasetId: string, call?: CallOptions): Promise<LabelingTask[]> {
    const dataset = await this.getDataset(datasetId, call)
    const { data } = await this.client.listTasks(datasetId, call)
    return data.tasks.map((task) => normalizeTask(task, dataset))
  }

  /** A dataset, or a labeling task on one (named after both, with the task's review type). */
  async getDataset(jobId: string, call?: CallOptions): Promise<Dataset> {
    const { datasetId, taskId } = parseJobId(jobId)
    const { data } = await this.client.getDataset(datasetId, call)
    const dataset = normalizeDataset(data)
    if (!dataset)
      throw new TagdeckError({
        code: 'not_found',
        message: `Dataset ${datasetId} is not an image dataset Tagdeck can review`
      })
    if (taskId === null) return dataset
    const { data: tasks } = await this.client.listTasks(datasetId, call)
    const wire = tasks.tasks.find((t) => t.task_id === taskId)
    if (!wire)
      throw new TagdeckError({
        code: 'not_found',
        message: `Dataset ${dataset.name} has no labeling task ${taskId}`
      })
    return taskAsJob(dataset, normalizeTask(wire, dataset))
  }

  async listLabels(jobId: string, call?: CallOptions): Promise<Label[]> {
    return (await this.client.listLabels(jobId, call)).data.labels.map(normalizeLabel)
  }

  async getStats(jobId: string, call?: CallOptions): Promise<JobStats> {
    return normalizeStats((await this.client.getStats(jobId, call)).data)
  }
}
