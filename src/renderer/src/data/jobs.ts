import type { Dataset, JobStats, Label } from '../../../shared/domain'
import { getDb } from '../offline/db'
import { isUnreachable, notAvailableOffline } from '../offline/errors'
import { call } from '../platform'
import { offline } from './offline'
import type { JobRef } from './types'

/**
 * Jobs (datasets) of a connection, and what the job list and filters show about each. The job
 * list is kept in IndexedDB so it opens offline; stats and labels are the offline layer's
 * (cache-first, queued deletions already subtracted from the counts).
 */
export async function listJobs(connectionId: string): Promise<Dataset[]> {
  const db = getDb()
  try {
    const datasets = await call('jobs.list', { connectionId })
    await db.jobLists.put({ connectionId, datasets, fetchedAt: Date.now() }).catch(() => undefined)
    return datasets
  } catch (error) {
    if (!isUnreachable(error)) throw error
    const cached = await db.jobLists.get(connectionId)
    if (!cached) throw notAvailableOffline('The job list')
    return cached.datasets
  }
}

export function getJob(job: JobRef): Promise<Dataset> {
  return call('jobs.get', job)
}

export async function jobLabels(job: JobRef): Promise<Label[]> {
  return (await offline().readLabels(job)).value
}

export async function jobStats(job: JobRef): Promise<JobStats> {
  return (await offline().readStats(job)).value
}
