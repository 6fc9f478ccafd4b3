import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import { useSyncStatus } from '../data/sync'
import { currentLocale } from '../i18n'
import { formatRelative } from '../i18n/format'
import { PendingPanel } from './PendingPanel'
import { useNow } from './useNow'

/** Nothing queued, sending, failed or waiting for a sign-in, and no sync ever. */
function quiet(status: NonNullable<ReturnType<typeof useSyncStatus>>): boolean {
  return (
    status.pending === 0 &&
    status.failed === 0 &&
    status.conflicts === 0 &&
    status.parked === 0 &&
    status.sending === 0 &&
    status.progress === null &&
    status.signInNeeded.length === 0 &&
    status.lastSyncAt === null
  )
}

/**
 * In the top bar: offline or online, what waits to sync, the progress of a sync,
 * when the last one finished, errors, and "Sign in again" when the queue is paused. Opens the
 * "Pending changes" panel.
 */
export function SyncStatus(props: { connectionId?: string }) {
  const { t } = useTranslation()
  const status = useSyncStatus(props.connectionId)
  const now = useNow()
  const [open, setOpen] = useState(false)

  // Outside a connection, the top bar speaks of sync only when there is something to say: a
  // first run, with no connection yet, shows nothing about it.
  if (!props.connectionId && (!status || quiet(status))) return null
  if (!status) {
    return (
      <span className="sync-status sync-unknown" role="status" data-testid="sync-status">
        <span className="sync-dot" aria-hidden="true" />
        <span className="sync-state">{t('sync.unknown')}</span>
      </span>
    )
  }
  const checking = status.state === 'online' && status.connectivity === 'unknown'
  const state = checking ? 'unknown' : status.state
  const detail = status.progress
    ? t('sync.progress', status.progress)
    : status.failed > 0
      ? t('sync.failed', { count: status.failed })
      : status.conflicts > 0
        ? t('sync.conflicts', { count: status.conflicts })
        : status.parked > 0
          ? t('sync.parked', { count: status.parked })
          : status.sending > 0
            ? t('sync.sending', { count: status.sending })
            : status.pending > 0
              ? t('sync.pending', { count: status.pending })
              : t('sync.allSaved')
  const title = status.lastError ? t('sync.lastError', { message: status.lastError }) : undefined
  return (
    <span className="sync-wrap">
      <button
        type="button"
        className={`sync-status sync-${state}`}
        aria-label={`${t('sync.label')}: ${t(`sync.${state}`)}, ${detail}`}
        title={title}
        data-testid="sync-status"
        data-state={status.state}
        data-pending={status.pending}
        data-failed={status.failed}
        onClick={() => setOpen(true)}
      >
        <span className="sync-dot" aria-hidden="true" />
        <span className="sync-state">{t(`sync.${state}`)}</span>
        <span className="sync-detail" data-testid="sync-detail">
          {detail}
        </span>
        {status.progress && (
          <progress
            className="sync-progress"
            max={status.progress.total}
            value={status.progress.done}
          />
        )}
        {status.lastSyncAt !== null ? (
          <span className="sync-last">
            {t('sync.lastSync', { when: formatRelative(status.lastSyncAt, currentLocale(), now) })}
          </span>
        ) : (
          status.pending > 0 && <span className="sync-last">{t('sync.never')}</span>
        )}
      </button>
      {status.signInNeeded.length > 0 && (
        <button
          type="button"
          className="primary sync-signin"
          onClick={() => setOpen(true)}
          title={t('sync.signInNeeded')}
        >
          {t('sync.signIn')}
        </button>
      )}
      <span className="visually-hidden" role="status" aria-live="polite">
        {t(`sync.${state}`)}
      </span>
      {open && <PendingPanel status={status} onClose={() => setOpen(false)} />}
    </span>
  )
}
