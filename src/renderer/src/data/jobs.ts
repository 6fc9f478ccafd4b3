import type { Dataset, JobStats, Label } from '../../../shared/domain'
import { call } from '../platform'
import type { JobRef } from './types'

/** Jobs (datasets) of a connection, and what the job list and filters show about each. */
export function listJobs(connectionId: string): Promise<Dataset[]> {
  return call('jobs.list', { connectionId })
}

export function getJob(job: JobRef): Promise<Dataset> {
  return call('jobs.get', job)
}

export function jobLabels(job: JobRef): Promise<Label[]> {
  return call('jobs.labels', job)
}

export function jobStats(job: JobRef): Promise<JobStats> {
  return call('jobs.stats', job)
}
