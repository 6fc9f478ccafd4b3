import { useEffect, useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { TagFilter } from '../../../shared/domain'
import {
  cancelDownload,
  estimateDownload,
  removeDownload,
  resumeDownload,
  startDownload,
  type DownloadEstimate,
  type OfflineProgress
} from '../data/downloads'
import type { JobKey } from '../data/types'
import { describeError } from '../errors'
import { currentLocale } from '../i18n'
import { formatDuration } from '../i18n/format'
import { showToast } from '../toasts'
import { Modal } from './Modal'

type T = ReturnType<typeof useTranslation>['t']

export function filterLabel(t: T, filter: TagFilter): string {
  return filter.kind === 'tag' ? filter.tag : t(`filters.${filter.kind}`)
}

/** Images and pages of the job on this computer: the image cache plus the database copy. */
export function diskBytes(progress: OfflineProgress): number {
  return progress.bytes + progress.dbBytes
}

/** Why an offline copy is not (all) there, in the user's words; null for a plain failure. */
function problemText(t: T, p: OfflineProgress): string | null {
  const problem = p.problem
  if (!problem) return null
  if (problem.kind === 'missing')
    return t('offline.missing', { count: problem.missing, total: problem.total })
  if (
    problem.code !== 'ENOSPC' &&
    problem.code !== 'EDQUOT' &&
    problem.code !== 'QuotaExceededError'
  )
    return t('offline.writeFailed', { code: problem.code })
  if (problem.neededBytes !== null && problem.freeBytes !== null)
    return t('offline.diskFull', { needed: problem.neededBytes, free: problem.freeBytes })
  if (problem.freeBytes !== null) return t('offline.diskFullFree', { free: problem.freeBytes })
  return t('offline.diskFullUnknown')
}

function fraction(p: OfflineProgress): number {
  if (p.phase === 'done') return 1
  if (p.imagesTotal > 0) return p.imagesDone / p.imagesTotal
  return p.phase === 'pages' && p.pagesTotal > 0 ? p.pagesDone / p.pagesTotal : 0
}

function reportFailure(t: T, error: unknown) {
  const d = describeError(error)
  showToast({
    message: t('offline.failed', { message: d.service?.errorMsg ?? d.detail ?? d.code }),
    tone: 'error'
  })
}

/** One line on what is offline for a job: state, disk size (the job list, the grid's header). */
export function OfflineState(props: { progress: OfflineProgress | null }) {
  const { t } = useTranslation()
  const p = props.progress
  if (!p) return <span className="offline-state muted">{t('offline.notOffline')}</span>
  const size = t('offline.onDisk', { size: diskBytes(p) })
  let state: string
  if (p.state === 'done') {
    state =
      p.filter.kind === 'everything'
        ? t('offline.available')
        : t('offline.availableFilter', { filter: filterLabel(t, p.filter) })
    if (p.includeFull) state = `${state} (${t('offline.withFull')})`
  } else if (p.state === 'error')
    state = problemText(t, p) ?? t('offline.failed', { message: p.lastError ?? '' })
  else if (p.state === 'paused') state = t('offline.paused')
  else if (!p.active) state = t('offline.waiting')
  else state = t('offline.downloading')
  return (
    <span
      className={`offline-state offline-${p.state}`}
      data-testid="offline-state"
      data-state={p.state}
      data-problem={p.problem?.kind}
      role={p.state === 'error' ? 'status' : undefined}
    >
      <span className="offline-icon" aria-hidden="true">
        {p.state === 'done' ? '✓' : p.state === 'error' ? '!' : '↓'}
      </span>
      {`${state} · ${size}`}
    </span>
  )
}

/** The progress bar with speed and time left, and cancel / resume / remove. */
export function OfflineProgressBar(props: { job: JobKey; progress: OfflineProgress }) {
  const { t } = useTranslation()
  const p = props.progress
  const locale = currentLocale()
  const running = p.state === 'running'
  // Nothing downloads now; the images found missing are fetched by "Download again".
  const missing = p.problem?.kind === 'missing' && !p.active
  // Interrupted (main restarted, a crash) and not going on by itself yet: it may be resumed.
  const resumable = p.state === 'paused' || p.state === 'error' || (running && !p.active)
  const phase =
    p.phase === 'pages'
      ? t('offline.phase.pages', {
          done: p.pagesDone,
          total: p.pagesTotal,
          images: p.imagesDone,
          imagesTotal: p.imagesTotal
        })
      : p.phase === 'done'
        ? t('offline.phase.done')
        : t(`offline.phase.${p.phase}`, { done: p.imagesDone, total: p.imagesTotal })
  const act = (what: () => Promise<void>) => () => void what().catch((e) => reportFailure(t, e))
  return (
    <div className="offline-progress" data-testid="offline-progress">
      {p.state !== 'done' && !missing && (
        <progress max={1} value={fraction(p)} aria-label={t('offline.downloading')} />
      )}
      {p.state !== 'done' && !missing && <span className="offline-phase">{phase}</span>}
      {running && p.bytesPerSecond !== null && (
        <span className="muted">{t('offline.speed', { speed: p.bytesPerSecond })}</span>
      )}
      {running && p.etaMs !== null && (
        <span className="muted">{t('offline.eta', { time: formatDuration(p.etaMs, locale) })}</span>
      )}
      <span className="spacer" />
      {running && (
        <button type="button" onClick={act(() => cancelDownload(props.job))}>
          {t('offline.cancel')}
        </button>
      )}
      {resumable && (
        <button type="button" onClick={act(() => resumeDownload(props.job))}>
          {missing ? t('offline.downloadAgain') : t('offline.resume')}
        </button>
      )}
      <button type="button" onClick={act(() => removeDownload(props.job))}>
        {t('offline.remove')}
      </button>
    </div>
  )
}

/** "Make available offline": the whole job or the current filter, full images optional. */
export function OfflineDialog(props: {
  job: JobKey
  name: string
  total: number | null
  filter: TagFilter
  onClose: () => void
}) {
  const { t } = useTranslation()
  const titleId = useId()
  const [scope, setScope] = useState<'all' | 'filter'>('all')
  const [includeFull, setIncludeFull] = useState(false)
  const [estimated, setEstimated] = useState<{
    scope: string
    value: DownloadEstimate | { error: unknown }
  } | null>(null)
  const filter: TagFilter = scope === 'all' ? { kind: 'everything' } : props.filter
  const { job } = props

  useEffect(() => {
    if (!includeFull) return
    let live = true
    estimateDownload(job, filter)
      .then((value) => live && setEstimated({ scope, value }))
      .catch((error: unknown) => live && setEstimated({ scope, value: { error } }))
    return () => {
      live = false
    }
    // The filter is part of the scope: a new scope brings a new one.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [includeFull, scope, job])

  const estimate = !includeFull ? null : estimated?.scope === scope ? estimated.value : 'loading'
  const start = () => {
    props.onClose()
    startDownload(job, { filter, includeFull }).catch((e: unknown) => reportFailure(t, e))
  }
  return (
    <Modal labelledBy={titleId} onClose={props.onClose} className="offline-dialog">
      <h2 id={titleId} lang="">
        {t('offline.dialogTitle', { name: props.name })}
      </h2>
      <fieldset className="offline-scope">
        <legend>{t('offline.scopeLegend')}</legend>
        <label className="check">
          <input
            type="radio"
            name="offline-scope"
            checked={scope === 'all'}
            onChange={() => setScope('all')}
          />
          {props.filter.kind === 'everything' && props.total !== null
            ? t('offline.scopeAll', { count: props.total })
            : t('offline.scopeWhole')}
        </label>
        {props.filter.kind !== 'everything' && (
          <label className="check">
            <input
              type="radio"
              name="offline-scope"
              checked={scope === 'filter'}
              onChange={() => setScope('filter')}
            />
            {t('offline.scopeFilter', { filter: filterLabel(t, props.filter) })}
          </label>
        )}
      </fieldset>
      <p className="muted small">{t('offline.includes')}</p>
      <label className="check">
        <input
          type="checkbox"
          checked={includeFull}
          onChange={(e) => setIncludeFull(e.target.checked)}
        />
        {t('offline.includeFull')}
      </label>
      {includeFull && estimate !== null && (
        <p className="muted" data-testid="offline-estimate" aria-live="polite">
          {estimate === 'loading'
            ? t('offline.estimating')
            : 'error' in estimate
              ? t('offline.estimateFailed', { message: describeError(estimate.error).code })
              : t('offline.estimate', { size: estimate.fullBytes })}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={props.onClose}>
          {t('common.cancel')}
        </button>
        <button type="button" className="primary" data-autofocus onClick={start}>
          {t('offline.start')}
        </button>
      </div>
    </Modal>
  )
}
