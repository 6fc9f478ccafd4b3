import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { TagFilter } from '../../../shared/domain'
import { TagdeckError } from '../../../shared/errors'
import { OfflineDialog, OfflineProgressBar, OfflineState } from '../components/OfflineJob'
import { useNow } from '../components/useNow'
import { useOfflineJob } from '../data/downloads'
import { useSyncStatus } from '../data/sync'
import type { JobKey } from '../data/types'
import { currentLocale } from '../i18n'
import { formatRelative } from '../i18n/format'

/** How old the copy on screen is: the oldest page shown since the job last changed. */
export interface Freshness {
  fetchedAt: number
  fromCache: boolean
}

/** Shown as "cached N minutes ago" once a copy is older than this (online). */
const CACHED_HINT_MS = 60_000

export function isNotOffline(error: unknown): boolean {
  return error instanceof TagdeckError && error.code === 'offline'
}

/** The grid's "this part is not downloaded and the service is out of reach" state. */
export function NotAvailableOffline(props: { onRetry: () => void }) {
  const { t } = useTranslation()
  return (
    <div className="not-offline" role="alert" data-testid="not-offline">
      <h2>{t('offline.notAvailableTitle')}</h2>
      <p>{t('offline.notAvailable')}</p>
      <button type="button" onClick={props.onRetry}>
        {t('common.retry')}
      </button>
    </div>
  )
}

/**
 * Above the grid: whether it shows a cached or offline copy and how old, what of the job is
 * available offline (with the download's progress), and "Make available offline".
 */
export function GridStatus(props: {
  job: JobKey
  name: string
  filter: TagFilter
  total: number | null
  freshness: Freshness | null
}) {
  const { t } = useTranslation()
  const now = useNow()
  const status = useSyncStatus(props.job.connectionId)
  const progress = useOfflineJob(props.job)
  const [dialog, setDialog] = useState(false)
  const offlineNow = status?.connectivity === 'offline'
  const f = props.freshness
  const when = f ? formatRelative(f.fetchedAt, currentLocale(), now) : ''
  const hint =
    f && f.fromCache && offlineNow
      ? t('offline.offlineCopy', { when })
      : f && f.fromCache && now - f.fetchedAt >= CACHED_HINT_MS
        ? t('offline.cachedAgo', { when })
        : null
  return (
    <div className="grid-status" data-testid="grid-status">
      {hint && (
        <span
          className={`cache-hint${offlineNow ? ' cache-offline' : ''}`}
          data-testid="cache-hint"
        >
          {hint}
        </span>
      )}
      <OfflineState progress={progress} />
      <span className="spacer" />
      {progress ? (
        <OfflineProgressBar job={props.job} progress={progress} />
      ) : (
        <button type="button" onClick={() => setDialog(true)} disabled={offlineNow}>
          {t('offline.make')}
        </button>
      )}
      {dialog && (
        <OfflineDialog
          job={props.job}
          name={props.name}
          total={props.total}
          filter={props.filter}
          onClose={() => setDialog(false)}
        />
      )}
    </div>
  )
}
