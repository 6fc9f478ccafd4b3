import { useCallback } from 'react'
import { useTranslation } from 'react-i18next'
import type { Dataset, LabelingTask } from '../../../shared/domain'
import { ErrorNotice } from '../components/ErrorNotice'
import { listTasks } from '../data/jobs'
import { useLoad } from '../useLoad'

/**
 * A dataset's labeling tasks under its card: name, type, status and counts, each opened like a
 * job (its samples and counts are the task's; deleting still removes the image from the dataset).
 */
export function TaskList(props: {
  connectionId: string
  dataset: Dataset
  onOpen: (task: LabelingTask) => void
}) {
  const { t } = useTranslation()
  const { connectionId, dataset } = props
  const [tasks, reload] = useLoad(
    useCallback(() => listTasks(connectionId, dataset.id), [connectionId, dataset.id])
  )
  if (tasks.status === 'loading') return <p className="muted small">{t('common.loading')}</p>
  if (tasks.status === 'error') return <ErrorNotice error={tasks.error} onRetry={reload} />
  if (tasks.value.length === 0) return null
  return (
    <section className="task-list" aria-label={t('tasks.title', { name: dataset.name })}>
      <h4>{t('tasks.heading')}</h4>
      <ul>
        {tasks.value.map((task) => (
          <li key={task.id} className="task" data-testid="task">
            <button
              type="button"
              className="link"
              aria-label={t('tasks.open', { name: task.name })}
              onClick={() => props.onOpen(task)}
            >
              {task.name}
            </button>
            <span className={`badge badge-${task.type}`}>{t(`jobs.type.${task.type}`)}</span>
            <span className="muted small">{t(`tasks.status.${task.status}`)}</span>
            <span className="small">
              {t('tasks.counts', {
                total: task.samples.total,
                unannotated: task.samples.unannotated,
                unreviewed: task.samples.unreviewed
              })}
            </span>
          </li>
        ))}
      </ul>
    </section>
  )
}
