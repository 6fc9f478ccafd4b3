import type { z } from 'zod'
import { TagdeckError } from '../../shared/errors'
import { parseJobId } from '../../shared/job-id'
import type { Authenticator } from './auth'
import { joinUrl } from './endpoints'
import type { HeaderLookup, HttpClient, PreparedRequest, RetryPolicy } from './http'
import { canonicalQuery } from './signer'
import {
  WireEmpty,
  WireRawSample,
  type RawLabel,
  WireDataset,
  WireDatasetList,
  WireDeleteResult,
  WireLabelList,
  WireSample,
  WireSampleList,
  WireStats,
  WireWorkforceTaskList,
  WireWorkspaceList
} from './wire'

/** The ModelArts v2 dataset API, one method per route (api.md), answers parsed, not normalized. */
export interface ModelArtsClientOptions {
  endpoint: URL
  projectId: string
  auth: Authenticator
  http: HttpClient
  policy?: Partial<RetryPolicy>
}

export interface ListSamplesQuery {
  /** Page index from 0 (the vendor calls it "start page"). */
  offset: number
  limit: number
  labelName?: string
  sampleState?: '__ALL__' | '__NONE__'
  order?: 'asc' | 'desc'
  processParameter?: string
}

/** One verdict of ReviewSamples or AcceptSamples, as sent. */
export interface WireComment {
  sample_id: string
  accept: boolean
  comment?: string
  score?: 'A' | 'B' | 'C' | 'D'
  worker_id?: string
}

export interface CallOptions {
  signal?: AbortSignal
}

export interface Answer<T> {
  data: T
  headers: HeaderLookup
}

type Query = Record<string, string | number | undefined>

export class ModelArtsClient {
  constructor(private readonly options: ModelArtsClientOptions) {}

  get projectId(): string {
    return this.options.projectId
  }

  /**
   * ListDatasets, old- and new-version datasets alike (`dataset_version=all`; without it the
   * cloud lists only one kind), of one workspace, with their labels (a new-version dataset's
   * review type comes from them).
   */
  listDatasets(offset: number, limit: number, workspaceId: string, call: CallOptions = {}) {
    const query = {
      offset,
      limit,
      dataset_version: 'all',
      workspace_id: workspaceId,
      with_labels: 'true'
    }
    return this.get(this.project('/datasets'), query, WireDatasetList, call)
  }

  /** ListWorkspace: `GET /v1/{project_id}/workspaces` (the default workspace is `0`). */
  listWorkspaces(call: CallOptions = {}) {
    const path = `/v1/${enc(this.options.projectId)}/workspaces`
    return this.get(path, { limit: 1000 }, WireWorkspaceList, call)
  }

  /** ListWorkforceTasks: a dataset's labeling tasks (at most 1000 a page, the documented maximum). */
  listTasks(datasetId: string, call: CallOptions = {}) {
    const path = this.dataset(datasetId, '/workforce-tasks')
    return this.get(path, { offset: 0, limit: 1000 }, WireWorkforceTaskList, call)
  }

  getDataset(datasetId: string, call: CallOptions = {}) {
    return this.get(this.dataset(datasetId, ''), {}, WireDataset, call)
  }

  /** A job's labels are its dataset's (a task labels with them). */
  listLabels(jobId: string, call: CallOptions = {}) {
    const { datasetId } = parseJobId(jobId)
    return this.get(this.dataset(datasetId, '/data-annotations/labels'), {}, WireLabelList, call)
  }

  getStats(jobId: string, call: CallOptions = {}) {
    return this.get(this.job(jobId, '/data-annotations/stats'), {}, WireStats, call)
  }

  listSamples(jobId: string, query: ListSamplesQuery, call: CallOptions = {}) {
    return this.get(
      this.job(jobId, '/data-annotations/samples'),
      {
        offset: query.offset,
        limit: query.limit,
        label_name: query.labelName,
        sample_state: query.sampleState,
        order: query.order,
        process_parameter: query.processParameter
      },
      WireSampleList,
      call
    )
  }

  describeSample(jobId: string, sampleId: string, call: CallOptions = {}) {
    const path = this.job(jobId, `/data-annotations/samples/${enc(sampleId)}`)
    return this.get(path, {}, WireSample, call)
  }

  /** DeleteSamples is the dataset's, for a task's samples too. */
  deleteSamples(jobId: string, sampleIds: string[], call: CallOptions = {}) {
    const { datasetId } = parseJobId(jobId)
    const path = this.dataset(datasetId, '/data-annotations/samples/delete')
    const body = { samples: sampleIds, delete_source: false }
    return this.call('POST', path, {}, body, WireDeleteResult, call)
  }

  /** DescribeSample with the labels exactly as held (for a label change to start from). */
  describeRawSample(jobId: string, sampleId: string, call: CallOptions = {}) {
    const path = this.job(jobId, `/data-annotations/samples/${enc(sampleId)}`)
    return this.get(path, {}, WireRawSample, call)
  }

  /**
   * UpdateSamples, or UpdateWorkforceTaskSamples for a task's job: each sample's whole label
   * list replaced (an empty list removes every label), with no version check.
   */
  updateSamples(
    jobId: string,
    samples: { sample_id: string; labels: RawLabel[] }[],
    call: CallOptions = {}
  ) {
    const path = this.job(jobId, '/data-annotations/samples')
    return this.call('PUT', path, {}, { samples }, WireDeleteResult, call)
  }

  /** ReviewSamples (`review`) or AcceptSamples (`acceptance`) on a task's samples. */
  judgeSamples(jobId: string, kind: 'review' | 'acceptance', comments: WireComment[]) {
    if (parseJobId(jobId).taskId === null)
      throw new TagdeckError({
        code: 'invalid_input',
        message: 'Only a labeling task takes review verdicts'
      })
    const route = kind === 'review' ? '/data-annotations/review' : '/acceptance/batch-comment'
    return this.call('POST', this.job(jobId, route), {}, { comments }, WireEmpty, {})
  }

  get<S extends z.ZodType>(path: string, query: Query, schema: S, call: CallOptions) {
    return this.call('GET', path, query, undefined, schema, call)
  }

  /** One API call: signed or tokened per attempt; one fresh-credential retry after a 401. */
  async call<S extends z.ZodType>(
    method: string,
    path: string,
    query: Query,
    body: unknown,
    schema: S,
    call: CallOptions
  ): Promise<Answer<z.infer<S>>> {
    const { auth, http, endpoint } = this.options
    const url = joinUrl(endpoint, path)
    const params = new URLSearchParams()
    for (const [name, value] of Object.entries(query))
      if (value !== undefined) params.set(name, String(value))
    url.search = canonicalQuery(params)
    const base: PreparedRequest = {
      method,
      url,
      headers: {
        'Content-Type': 'application/json',
        ...(auth.kind === 'aksk' ? { 'X-Project-Id': this.options.projectId } : {})
      },
      body: body === undefined ? undefined : JSON.stringify(body)
    }
    for (let refreshed = false; ; refreshed = true) {
      let used = ''
      try {
        const response = await http.send({
          peer: 'the ModelArts service',
          signal: call.signal,
          policy: this.options.policy,
          prepare: async () => {
            const { request, credential } = await auth.authorize(base)
            used = credential
            return request
          }
        })
        return { data: parseAnswer(schema, response.body, path), headers: response.headers }
      } catch (error) {
        // `used` stays empty when getting the credential itself failed (IAM said no): no retry.
        const expired = error instanceof TagdeckError && error.service?.httpStatus === 401
        if (!expired || refreshed || !used || !auth.invalidate(used)) throw error
      }
    }
  }

  private project(path: string): string {
    return `/v2/${enc(this.options.projectId)}${path}`
  }

  private dataset(datasetId: string, path: string): string {
    return this.project(`/datasets/${enc(datasetId)}${path}`)
  }

  /** A dataset's routes, or the same routes inside one of its labeling tasks. */
  private job(jobId: string, path: string): string {
    const { datasetId, taskId } = parseJobId(jobId)
    return taskId === null
      ? this.dataset(datasetId, path)
      : this.dataset(datasetId, `/workforce-tasks/${enc(taskId)}${path}`)
  }
}

function enc(segment: string): string {
  return encodeURIComponent(segment)
}

function parseAnswer<S extends z.ZodType>(schema: S, body: Buffer, path: string): z.infer<S> {
  let json: unknown
  try {
    json = JSON.parse(body.toString('utf8'))
  } catch {
    throw new TagdeckError({ code: 'service', message: `The service sent non-JSON for ${path}` })
  }
  const parsed = schema.safeParse(json)
  if (!parsed.success)
    throw new TagdeckError({
      code: 'service',
      message: `The service sent an unexpected answer for ${path}`,
      issues: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    })
  return parsed.data
}
