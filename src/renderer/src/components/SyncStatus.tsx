import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { UNKNOWN_STATUS, subscribeSyncStatus, type SyncStatus as Status } from '../data/sync'
import { currentLocale } from '../i18n'
import { formatRelative } from '../i18n/format'

/** Always visible once a connection is open: online or not, and what is waiting to sync. */
export function SyncStatus(props: { connectionId: string }) {
  const { t } = useTranslation()
  const [status, setStatus] = useState<Status>(UNKNOWN_STATUS)
  useEffect(() => subscribeSyncStatus(props.connectionId, setStatus), [props.connectionId])

  const detail =
    status.failed > 0
      ? t('sync.failed', { count: status.failed })
      : status.sending > 0
        ? t('sync.sending', { count: status.sending })
        : status.pending > 0
          ? t('sync.pending', { count: status.pending })
          : t('sync.allSaved')
  return (
    <span
      className={`sync-status sync-${status.connectivity}`}
      role="status"
      aria-label={t('sync.label')}
      data-testid="sync-status"
    >
      <span className="sync-dot" aria-hidden="true" />
      <span className="sync-state">{t(`sync.${status.connectivity}`)}</span>
      {status.connectivity !== 'unknown' && <span className="sync-detail">{detail}</span>}
      {status.lastSyncAt !== null && (
        <span className="sync-last">
          {t('sync.lastSync', { when: formatRelative(status.lastSyncAt, currentLocale()) })}
        </span>
      )}
    </span>
  )
}
