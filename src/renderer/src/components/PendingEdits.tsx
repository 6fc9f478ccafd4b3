import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import {
  discardEdit,
  retryEdits,
  undoEdit,
  useEditRows,
  type EditRow,
  type EditStatus
} from '../data/review'
import { ConflictDialog } from '../review/ConflictDialog'
import { paletteColor } from '../palette'
import { showToast } from '../toasts'
import { RowActions } from './PendingRowActions'

const LIMIT = 200
/** What waits for the reviewer first, then what goes by itself. */
export const EDIT_SECTIONS: readonly EditStatus[] = [
  'conflict',
  'parked',
  'failed',
  'paused',
  'sending',
  'queued'
]

/** What an edit does, in a few words: "Labels changed", "Rejected: box too loose (C)". */
export function editSummary(t: ReturnType<typeof useTranslation>['t'], row: EditRow): string {
  if (row.verdict) {
    const { accept, comment, score } = row.verdict
    return accept
      ? t('review.summary.accepted', { score })
      : t('review.summary.rejected', { reason: comment || t('review.noReason'), score })
  }
  const labels = row.labels
  if (!labels) return ''
  return labels.cleared
    ? t('review.summary.cleared')
    : t('review.summary.labels', { boxes: labels.mine.boxes.length, tags: labels.mine.tags.length })
}

/** One status's review edits, with what can be done about them. */
export function EditSection(props: { status: EditStatus; count: number }) {
  const { t } = useTranslation()
  const rows = useEditRows([props.status], LIMIT) ?? []
  const headingId = useId()
  const [comparing, setComparing] = useState<EditRow | null>(null)
  if (props.count === 0) return null
  const say = (message: string) => showToast({ message, tone: 'info' })
  const retry = async (ids: string[]) =>
    say(t('pending.retriedEdits', { count: await retryEdits(ids) }))
  const discard = async (ids: string[]) => {
    let n = 0
    for (const id of ids) if (await discardEdit(id)) n += 1
    say(t('pending.discardedEdits', { count: n }))
  }
  const undo = async (ids: string[]) => {
    let n = 0
    for (const id of ids) if (await undoEdit(id)) n += 1
    say(n > 0 ? t('review.undone', { count: n }) : t('delete.tooLate'))
  }
  const failedLike =
    props.status === 'failed' || props.status === 'paused' || props.status === 'parked'
  return (
    <section
      className="pending-section"
      aria-labelledby={headingId}
      data-testid={`pending-edits-${props.status}`}
    >
      <div className="pending-head">
        <h3 id={headingId}>{t(`pending.editSection.${props.status}`, { n: props.count })}</h3>
      </div>
      <ul className="pending-rows">
        {rows.map((row) => (
          <li key={row.id} className="pending-row" data-testid="pending-edit">
            <span className="pending-name" lang="">
              {row.name ?? t('pending.unnamed', { id: row.sampleId })}
            </span>
            <span className="muted small">{editSummary(t, row)}</span>
            {row.lastError && props.status !== 'conflict' && (
              <span className="pending-error" lang="">
                {row.lastError.message} <code>{row.lastError.code}</code>
              </span>
            )}
            <span className="spacer" />
            {props.status === 'conflict' && (
              <button type="button" className="primary" onClick={() => setComparing(row)}>
                {t('conflict.compare')}
              </button>
            )}
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
      {comparing && (
        <ConflictDialog row={comparing} colorOf={paletteColor} onClose={() => setComparing(null)} />
      )}
    </section>
  )
}
