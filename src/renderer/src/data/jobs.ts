import type { Dataset, JobStats, Label, LabelingTask, Workspace } from '../../../shared/domain'
export { taskAsJob } from '../../../shared/job-id'
import { getDb, isUnreachable, notAvailableOffline } from '../offline'
import { call } from '../platform'
import { offline } from './offline'
import type { JobKey } from './types'

/**
 * Jobs (datasets, and labeling tasks on them) of a connection, and what the job list and filters
 * show about each. The job list is kept in IndexedDB so it opens offline; stats and labels are the
 * offline layer's (cache-first, queued deletions already subtracted from the counts).
 */
const DEFAULT_WORKSPACE = '0'

export async function listJobs(
  connectionId: string,
  workspaceId = DEFAULT_WORKSPACE
): Promise<Dataset[]> {
  const db = getDb()
  try {
    const datasets = await call('jobs.list', { connectionId, workspaceId })
    await db.jobLists
      .put({ connectionId, workspaceId, datasets, fetchedAt: Date.now() })
      .catch((error: unknown) => console.warn('Tagdeck: the job list was not kept offline', error))
    return datasets
  } catch (error) {
    if (!isUnreachable(error)) throw error
    const cached = await db.jobLists.get(connectionId)
    if (!cached || (cached.workspaceId ?? DEFAULT_WORKSPACE) !== workspaceId)
      throw notAvailableOffline('The job list')
    return cached.datasets
  }
}

/** The account's workspaces (only the default one when the service has no workspace API). */
export async function listWorkspaces(connectionId: string): Promise<Workspace[]> {
  try {
    return await call('jobs.workspaces', { connectionId })
  } catch (error) {
    // Offline, or a service without workspaces (a private cloud, the local one before it had
    // them): the default workspace is always there.
    console.warn('Tagdeck: workspaces could not be listed', error)
    return [{ id: DEFAULT_WORKSPACE, name: 'default' }]
  }
}

/** A dataset's labeling tasks; offline, as last listed (a task made available offline opens). */
export async function listTasks(connectionId: string, datasetId: string): Promise<LabelingTask[]> {
  const db = getDb()
  try {
    const tasks = await call('jobs.tasks', { connectionId, datasetId })
    await db.taskLists
      .put({ connectionId, datasetId, tasks, fetchedAt: Date.now() })
      .catch((error: unknown) => console.warn('Tagdeck: a task list was not kept offline', error))
    return tasks
  } catch (error) {
    if (!isUnreachable(error)) throw error
    const cached = await db.taskLists.get([connectionId, datasetId])
    if (!cached) throw notAvailableOffline('The labeling tasks')
    return cached.tasks
  }
}

/** The workspace chosen last for a connection, remembered on this computer. */
export function chosenWorkspace(connectionId: string): string {
  try {
    return localStorage.getItem(`tagdeck.workspace.${connectionId}`) ?? DEFAULT_WORKSPACE
    // eslint-disable-next-line no-restricted-syntax -- storage disabled: the default workspace is the answer
  } catch {
    return DEFAULT_WORKSPACE
  }
}

export function chooseWorkspace(connectionId: string, workspaceId: string): void {
  try {
    localStorage.setItem(`tagdeck.workspace.${connectionId}`, workspaceId)
  } catch (error) {
    console.warn('Tagdeck: the workspace choice was not remembered', error)
  }
}

export function getJob(job: JobKey): Promise<Dataset> {
  return call('jobs.get', job)
}

export async function jobLabels(job: JobKey): Promise<Label[]> {
  return (await offline().readLabels(job)).value
}

export async function jobStats(job: JobKey): Promise<JobStats> {
  return (await offline().readStats(job)).value
}
