import { useLiveQuery } from 'dexie-react-hooks'
import { offline } from '../../data/offline'
import type { ReportEntry } from '../../offline'
import type { JobKey } from '../../data/types'

/** A job's review report, following every change and the sync (undefined until read). */
export function useReport(job: JobKey): ReportEntry[] | undefined {
  return useLiveQuery(() => offline().reviewReport(job), [job.connectionId, job.jobId])
}
