import { useEffect, useState } from 'react'
import type { TagFilter } from '../../../shared/domain'
import type { DownloadEstimate, OfflineProgress } from '../offline'
import { offline } from './offline'
import type { JobKey } from './types'

export type { DownloadEstimate, OfflineProgress }

/**
 * "Make available offline": every page, tag set and thumbnail of a job (or of one filter),
 * optionally the full images; resumable after a restart. The job list and the progress bar
 * follow `useOfflineJobs`.
 */
export function useOfflineJobs(): OfflineProgress[] {
  const [jobs, setJobs] = useState<OfflineProgress[]>([])
  useEffect(() => offline().downloads.watch(setJobs), [])
  return jobs
}

export function useOfflineJob(job: JobKey): OfflineProgress | null {
  const jobs = useOfflineJobs()
  return jobs.find((j) => j.connectionId === job.connectionId && j.jobId === job.jobId) ?? null
}

export const estimateDownload = (job: JobKey, filter?: TagFilter): Promise<DownloadEstimate> =>
  offline().downloads.estimate(job, filter)

/** Starts (or continues) the download; resolves when it ends, throws what stopped it. */
export const startDownload = (job: JobKey, options: { filter: TagFilter; includeFull: boolean }) =>
  offline().downloads.start(job, options)

export const cancelDownload = (job: JobKey) => offline().downloads.cancel(job)
export const resumeDownload = (job: JobKey) => offline().downloads.resume(job)
export const removeDownload = (job: JobKey) => offline().downloads.remove(job)
