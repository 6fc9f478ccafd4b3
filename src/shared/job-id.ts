import type { Dataset, LabelingTask } from './domain'

/**
 * A job is a dataset, or a labeling task on one. Everything that names a job (IPC calls, the
 * offline cache's keys, image addresses) takes one id: a dataset's id, or `<dataset>~<task>` for
 * a task. `~` is in neither the cloud's ids (letters and digits) nor the local service's, and
 * needs no escaping in a URL path.
 */
export const TASK_SEPARATOR = '~'

export interface JobParts {
  datasetId: string
  /** The labeling (workforce) task, or null for the dataset itself. */
  taskId: string | null
}

export function taskJobId(datasetId: string, taskId: string): string {
  return `${datasetId}${TASK_SEPARATOR}${taskId}`
}

export function parseJobId(jobId: string): JobParts {
  const at = jobId.indexOf(TASK_SEPARATOR)
  return at < 0
    ? { datasetId: jobId, taskId: null }
    : { datasetId: jobId.slice(0, at), taskId: jobId.slice(at + 1) }
}

/** A labeling task as the job screen opens it: its dataset, under the task's id, name and type. */
export function taskAsJob(dataset: Dataset, task: LabelingTask): Dataset {
  return {
    ...dataset,
    id: task.id,
    name: `${dataset.name} · ${task.name}`,
    type: task.type,
    taskStatus: task.status
  }
}
