import { useId } from 'react'
import { useTranslation } from 'react-i18next'
import {
  discardDeletions,
  resumeConnection,
  retryDeletions,
  undoDeletions,
  usePendingRows,
  type PanelRow,
  type OutboxStatus,
  type SyncStatus
} from '../data/sync'
import { showToast } from '../toasts'
import { Modal } from './Modal'
import { EDIT_SECTIONS, EditSection } from './PendingEdits'
import { RowActions } from './PendingRowActions'

const LIMIT = 200
const SECTIONS: readonly OutboxStatus[] = ['failed', 'paused', 'sending', 'queued']

function rowName(t: ReturnType<typeof useTranslation>['t'], row: PanelRow): string {
  return row.name ?? t('pending.unnamed', { id: row.sampleId })
}

/** One status's rows with their actions: undo (queued), retry and discard (failed, paused). */
function Section(props: { status: OutboxStatus; count: number }) {
  const { t } = useTranslation()
  const rows = usePendingRows(props.status, LIMIT) ?? []
  const headingId = useId()
  if (props.count === 0) return null
  const ids = rows.map((r) => r.id)
  const retry = async (deletionIds: string[]) => {
    const n = await retryDeletions(deletionIds)
    showToast({ message: t('pending.retried', { count: n }), tone: 'info' })
  }
  const discard = async (deletionIds: string[]) => {
    const result = await discardDeletions(deletionIds)
    showToast({ message: t('pending.discarded', { count: result.removed.length }), tone: 'info' })
  }
  const undo = async (deletionIds: string[]) => {
    const result = await undoDeletions(deletionIds)
    showToast(
      result.removed.length > 0
        ? { message: t('delete.undone', { count: result.removed.length }), tone: 'info' }
        : { message: t('delete.tooLate'), tone: 'info' }
    )
  }
  const failedLike = props.status === 'failed' || props.status === 'paused'
  return (
    <section
      className="pending-section"
      aria-labelledby={headingId}
      data-testid={`pending-${props.status}`}
    >
      <div className="pending-head">
        <h3 id={headingId}>{t(`pending.section.${props.status}`, { n: props.count })}</h3>
        <span className="spacer" />
        {props.status === 'queued' && (
          <button type="button" onClick={() => void undo(ids)}>
            {t('pending.undoAll')}
          </button>
        )}
        {failedLike && (
          <>
            <button type="button" onClick={() => void retry(ids)}>
              {t('pending.retryAll')}
            </button>
            <button type="button" className="danger" onClick={() => void discard(ids)}>
              {t('pending.discardAll')}
            </button>
          </>
        )}
      </div>
      <ul className="pending-rows">
        {rows.map((row) => (
          <li key={row.id} className="pending-row" data-testid="pending-row">
            <span className="pending-name" lang="">
              {rowName(t, row)}
            </span>
            {row.lastError && (
              <span className="pending-error" lang="">
                {row.lastError.message} <code>{row.lastError.code}</code>
              </span>
            )}
            {row.attempts > 0 && (
              <span className="muted small">{t('pending.attempts', { count: row.attempts })}</span>
            )}
            <span className="spacer" />
            <RowActions
              undo={props.status === 'queued' ? () => void undo([row.id]) : null}
              retryOrDiscard={
                failedLike
                  ? { retry: () => void retry([row.id]), discard: () => void discard([row.id]) }
                  : null
              }
            />
          </li>
        ))}
      </ul>
      {props.count > rows.length && rows.length > 0 && (
        <p className="muted small">{t('pending.more', { n: rows.length })}</p>
      )}
    </section>
  )
}

/**
 * "Pending changes": conflicts and parked verdicts first (they wait for the reviewer), then
 * deletions and review edits by status, with undo, retry, discard and compare.
 */
export function PendingPanel(props: { status: SyncStatus; onClose: () => void }) {
  const { t } = useTranslation()
  const titleId = useId()
  const { status } = props
  const counts: Record<OutboxStatus, number> = {
    queued: status.deletions.queued,
    sending: status.deletions.sending,
    failed: status.deletions.failed,
    paused: status.deletions.paused
  }
  const empty =
    SECTIONS.every((s) => counts[s] === 0) && EDIT_SECTIONS.every((s) => status.edits[s] === 0)
  return (
    <Modal labelledBy={titleId} onClose={props.onClose} className="pending-panel">
      <div className="pending-title">
        <h2 id={titleId}>{t('pending.title')}</h2>
        <span className="spacer" />
        <button type="button" data-autofocus onClick={props.onClose}>
          {t('common.close')}
        </button>
      </div>
      <p className="muted small">{t('pending.note')}</p>
      {status.signInNeeded.length > 0 && (
        <div className="pending-signin" role="alert">
          <p>{t('sync.signInNeeded')}</p>
          <button
            type="button"
            className="primary"
            onClick={() => {
              for (const id of status.signInNeeded) void resumeConnection(id)
            }}
          >
            {t('sync.resume')}
          </button>
        </div>
      )}
      {status.lastError && status.failed === 0 && status.signInNeeded.length === 0 && (
        <p className="pending-error" lang="">
          {t('sync.lastError', { message: status.lastError })}
        </p>
      )}
      {empty ? (
        <p className="empty">{t('pending.empty')}</p>
      ) : (
        <>
          {EDIT_SECTIONS.slice(0, 2).map((s) => (
            <EditSection key={s} status={s} count={status.edits[s]} />
          ))}
          {SECTIONS.map((s) => (
            <Section key={s} status={s} count={counts[s]} />
          ))}
          {EDIT_SECTIONS.slice(2).map((s) => (
            <EditSection key={s} status={s} count={status.edits[s]} />
          ))}
        </>
      )}
    </Modal>
  )
}
