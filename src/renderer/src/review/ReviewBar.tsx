import { useTranslation } from 'react-i18next'
import type { Sample } from '../../../shared/domain'
import type { EditRow } from '../data/review'
import { currentLocale } from '../i18n'
import { formatRate } from '../i18n/format'
import type { ReviewActions } from './useReviewActions'
import type { Sitting } from './useSitting'

/**
 * The viewer's review controls: the sitting's live counter, the image's verdict and what is
 * pending for it (a conflict offers the comparison), and a button for every decision, each
 * with its key.
 */
export function ReviewBar(props: {
  sample: Sample | undefined
  edits: readonly EditRow[]
  actions: ReviewActions
  sitting: Sitting
  classification: boolean
  onCompare(row: EditRow): void
}) {
  const { t } = useTranslation()
  const { sample, actions, sitting } = props
  const rate = sitting.perMinute === null ? null : formatRate(sitting.perMinute, currentLocale())
  const conflict = props.edits.find((e) => e.status === 'conflict')
  const verdict = sample?.verdict
  return (
    <section className="review-bar" aria-label={t('review.controls')} data-testid="review-bar">
      <p className="review-counter" data-testid="review-counter" data-count={sitting.count}>
        {rate === null
          ? t('review.counterStart', { count: sitting.count })
          : t('review.counter', { count: sitting.count, rate })}
      </p>
      {actions.isTask && (
        <p
          className={`review-verdict${verdict ? (verdict.accept ? ' accepted' : ' rejected') : ''}`}
          data-testid="review-verdict"
          data-accept={verdict ? String(verdict.accept) : undefined}
        >
          {verdict
            ? verdict.accept
              ? `${t('review.verdict.accepted')} (${verdict.score ?? '–'})`
              : `${t('review.verdict.rejected', { reason: verdict.comment || t('review.noReason') })} (${verdict.score ?? '–'})`
            : t('review.verdict.none')}
        </p>
      )}
      {props.edits.map((edit) => (
        <p
          key={edit.id}
          className={`review-state review-state-${edit.status}`}
          data-testid="review-state"
          data-status={edit.status}
        >
          {t(`review.state.${edit.status}`)}
          {edit.status === 'parked' && edit.lastError ? `: ${edit.lastError.message}` : ''}
        </p>
      ))}
      {conflict && (
        <div className="review-conflict" role="alert">
          <p>{t('conflict.banner')}</p>
          <button type="button" onClick={() => props.onCompare(conflict)}>
            {t('conflict.compare')} <Key name="c" />
          </button>
        </div>
      )}
      <div className="review-actions">
        {actions.isTask && (
          <>
            <button
              type="button"
              className="review-accept"
              onClick={() => actions.accept(sample)}
              data-testid="review-accept"
            >
              {t('review.accept')} <Key name="a" />
            </button>
            <button
              type="button"
              className="review-reject"
              onClick={() => actions.reject(sample)}
              data-testid="review-reject"
            >
              {t('review.reject')} <Key name="r" />
            </button>
            <button
              type="button"
              onClick={actions.cycleGrade}
              title={t('review.gradeHint')}
              data-testid="review-grade"
              data-grade={actions.grade}
            >
              {t('review.grade', { score: actions.grade })} <Key name="g" />
            </button>
          </>
        )}
        {props.classification && (
          <button type="button" onClick={() => actions.retag(sample)}>
            {t('review.retag')} <Key name="t" />
          </button>
        )}
        <button type="button" onClick={() => void actions.undo()}>
          {t('review.undo')} <Key name="u" />
        </button>
      </div>
    </section>
  )
}

/** A key's name beside the button it presses (the same letter in every language). */
function Key(props: { name: string }) {
  return <kbd aria-hidden="true">{props.name}</kbd>
}
