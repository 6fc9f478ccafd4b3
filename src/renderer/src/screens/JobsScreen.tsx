import { useCallback, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type {
  ConnectionProfile,
  Dataset,
  JobStats,
  Label,
  LabelingTask
} from '../../../shared/domain'
import { ErrorNotice } from '../components/ErrorNotice'
import { OfflineDialog, OfflineProgressBar, OfflineState } from '../components/OfflineJob'
import { useOfflineJobs, type OfflineProgress } from '../data/downloads'
import { useSyncStatus } from '../data/sync'
import { TagChip } from '../components/TagChip'
import {
  chooseWorkspace,
  chosenWorkspace,
  jobLabels,
  jobStats,
  listJobs,
  listWorkspaces,
  taskAsJob
} from '../data/jobs'
import { prefetchPage } from '../data/pages'
import { FIRST_PAGE } from '../review/ReviewPane'
import { currentLocale } from '../i18n'
import { formatCount, formatDate } from '../i18n/format'
import { colorsFor } from '../palette'
import { useLoad } from '../useLoad'
import { TaskList } from './TaskList'
import { log } from '../log'

export interface JobSummary {
  job: Dataset
  stats: JobStats | null
  labels: Label[]
}

async function loadJobs(connectionId: string, workspaceId: string): Promise<JobSummary[]> {
  const jobs = await listJobs(connectionId, workspaceId)
  return Promise.all(
    jobs.map(async (job) => {
      const ref = { connectionId, jobId: job.id }
      const [stats, labels] = await Promise.all([
        jobStats(ref).catch((error: unknown) => {
          // The card shows no counts.
          log.warn('the counts of a job could not be read', error)
          return null
        }),
        jobLabels(ref).catch((error: unknown) => {
          log.warn('the labels of a job could not be read', error)
          return []
        })
      ])
      return { job, stats, labels }
    })
  )
}

const SHOWN_LABELS = 8

function JobCard(props: {
  summary: JobSummary
  connectionId: string
  offline: OfflineProgress | null
  reachable: boolean
  onOpen: () => void
  onOpenTask: (task: LabelingTask) => void
  onIntent: () => void
}) {
  const { t } = useTranslation()
  const [dialog, setDialog] = useState(false)
  const { job, stats, labels } = props.summary
  const ref = { connectionId: props.connectionId, jobId: job.id }
  const colorOf = colorsFor(labels)
  const labelStats =
    stats?.labels ?? labels.map((l) => ({ name: l.name, count: 0, sampleCount: 0 }))
  return (
    <li className="card job-card" data-testid="job-card">
      <h3>
        <button
          type="button"
          className="link"
          onPointerEnter={props.onIntent}
          onFocus={props.onIntent}
          onClick={props.onOpen}
          aria-label={t('jobs.open', { name: job.name })}
        >
          {job.name}
        </button>
      </h3>
      <p className="job-meta">
        <span className={`badge badge-${job.type}`}>{t(`jobs.type.${job.type}`)}</span>
        {stats ? (
          <>
            <span>{t('jobs.images', { count: stats.all })}</span>
            <span>{t('jobs.untagged', { count: stats.untagged })}</span>
          </>
        ) : (
          <span className="muted">{t('jobs.statsUnavailable')}</span>
        )}
      </p>
      {job.description && (
        <p className="muted" lang="">
          {job.description}
        </p>
      )}
      {labelStats.length === 0 ? (
        <p className="job-labels muted">{t('jobs.noLabels')}</p>
      ) : (
        // A list a screen reader can walk: each item reads as "circle: 120".
        <ul className="job-labels" aria-label={t('jobs.labels')}>
          {labelStats.slice(0, SHOWN_LABELS).map((l) => (
            <li key={l.name} className="label-stat">
              <span className="visually-hidden">
                {stats ? t('jobs.labelCount', { name: l.name, count: l.sampleCount }) : l.name}
              </span>
              <span aria-hidden="true" className="label-stat-visual">
                <TagChip tag={l.name} color={colorOf(l.name)} small />
                {stats && (
                  <span className="count">{formatCount(l.sampleCount, currentLocale())}</span>
                )}
              </span>
            </li>
          ))}
          {labelStats.length > SHOWN_LABELS && (
            <li className="muted">
              {t('grid.moreTags', { count: labelStats.length - SHOWN_LABELS })}
            </li>
          )}
        </ul>
      )}
      <p className="muted small">
        {t('jobs.created', { date: formatDate(job.createdAt, currentLocale()) })}
      </p>
      <div className="job-offline">
        <OfflineState progress={props.offline} />
        {props.offline ? (
          props.offline.state !== 'done' && (
            <OfflineProgressBar job={ref} progress={props.offline} />
          )
        ) : (
          <button type="button" onClick={() => setDialog(true)} disabled={!props.reachable}>
            {t('offline.make')}
          </button>
        )}
      </div>
      {(job.taskCount ?? 0) > 0 && (
        <TaskList connectionId={props.connectionId} dataset={job} onOpen={props.onOpenTask} />
      )}
      {dialog && (
        <OfflineDialog
          job={ref}
          name={job.name}
          total={stats?.all ?? null}
          filter={{ kind: 'everything' }}
          onClose={() => setDialog(false)}
        />
      )}
    </li>
  )
}

/** The jobs of a connection, with what a reviewer needs to pick one. */
export function JobsScreen(props: {
  connection: ConnectionProfile
  onOpen: (summary: JobSummary) => void
}) {
  const { t } = useTranslation()
  const connectionId = props.connection.id
  const [workspaceId, setWorkspaceId] = useState(() => chosenWorkspace(connectionId))
  const [workspaces] = useLoad(useCallback(() => listWorkspaces(connectionId), [connectionId]))
  const [jobs, reload] = useLoad(
    useCallback(() => loadJobs(connectionId, workspaceId), [connectionId, workspaceId])
  )
  const offlineJobs = useOfflineJobs()
  const status = useSyncStatus(connectionId)
  const reachable = status?.connectivity !== 'offline'
  return (
    <div className="screen jobs-screen">
      <h1>{t('jobs.on', { name: props.connection.name })}</h1>
      {workspaces.status === 'ok' && workspaces.value.length > 1 && (
        <label className="workspace-picker">
          {t('workspaces.label')}
          <select
            value={workspaceId}
            onChange={(event) => {
              chooseWorkspace(connectionId, event.target.value)
              setWorkspaceId(event.target.value)
            }}
          >
            {workspaces.value.map((w) => (
              <option key={w.id} value={w.id}>
                {w.name}
              </option>
            ))}
          </select>
        </label>
      )}
      {jobs.status === 'loading' && (
        <ul className="cards" aria-busy="true" aria-label={t('common.loading')}>
          {[0, 1, 2].map((i) => (
            <li key={i} className="card skeleton-card" />
          ))}
        </ul>
      )}
      {jobs.status === 'error' && <ErrorNotice error={jobs.error} onRetry={reload} />}
      {jobs.status === 'ok' && jobs.value.length === 0 && (
        <p className="empty">{t('jobs.empty')}</p>
      )}
      {jobs.status === 'ok' && jobs.value.length > 0 && (
        <ul className="cards">
          {jobs.value.map((summary) => (
            <JobCard
              key={summary.job.id}
              summary={summary}
              connectionId={connectionId}
              reachable={reachable}
              offline={
                offlineJobs.find(
                  (o) => o.connectionId === connectionId && o.jobId === summary.job.id
                ) ?? null
              }
              onOpen={() => props.onOpen(summary)}
              onOpenTask={(task) =>
                props.onOpen({
                  job: taskAsJob(summary.job, task),
                  stats: null,
                  labels: summary.labels
                })
              }
              onIntent={() => prefetchPage({ connectionId, jobId: summary.job.id, ...FIRST_PAGE })}
            />
          ))}
        </ul>
      )}
    </div>
  )
}
