import { useId, useState, type KeyboardEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { VerdictComment } from '../../../shared/labels'
import { Modal } from '../components/Modal'

export const REASON_KEYS = ['r1', 'r2', 'r3', 'r4', 'r5', 'r6', 'r7', 'r8', 'r9'] as const

/**
 * Why an image is rejected: a digit picks one of nine reasons at once; typing writes another
 * (Enter sends it). The service refuses some characters in a comment: said before sending.
 */
export function ReasonPicker(props: {
  name: string
  onPick(reason: string): void
  onCancel(): void
}) {
  const { t } = useTranslation()
  const titleId = useId()
  const hintId = useId()
  const [typed, setTyped] = useState('')
  const reasons = REASON_KEYS.map((key) => t(`review.reasons.${key}`))
  const valid = VerdictComment.safeParse(typed.trim()).success
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const plain = !event.altKey && !event.ctrlKey && !event.metaKey
    if (plain && typed === '' && /^[1-9]$/.test(event.key)) {
      event.preventDefault()
      props.onPick(reasons[Number(event.key) - 1])
      return
    }
    if (event.key === 'Enter' && typed.trim() !== '' && valid) {
      event.preventDefault()
      props.onPick(typed.trim())
    }
  }
  return (
    <Modal
      labelledBy={titleId}
      describedBy={hintId}
      onClose={props.onCancel}
      className="reason-picker"
    >
      <h2 id={titleId} lang="">
        {t('review.reasonTitle', { name: props.name })}
      </h2>
      <p id={hintId} className="muted small">
        {t('review.reasonHint')}
      </p>
      <ol className="reason-list" data-testid="reason-list">
        {reasons.map((reason, i) => (
          <li key={REASON_KEYS[i]}>
            <button type="button" onClick={() => props.onPick(reason)}>
              <kbd>{i + 1}</kbd> {reason}
            </button>
          </li>
        ))}
      </ol>
      <label className="field">
        <span>{t('review.reasonTyped')}</span>
        <input
          type="text"
          data-autofocus
          data-testid="reason-input"
          maxLength={256}
          value={typed}
          aria-invalid={!valid}
          onChange={(event) => setTyped(event.target.value)}
          onKeyDown={onKeyDown}
        />
      </label>
      {!valid && (
        <p className="field-error" role="alert">
          {t('review.reasonInvalid')}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={props.onCancel}>
          {t('review.cancel')}
        </button>
        <button
          type="button"
          className="primary danger"
          disabled={typed.trim() === '' || !valid}
          onClick={() => props.onPick(typed.trim())}
        >
          {t('review.rejectWith')}
        </button>
      </div>
    </Modal>
  )
}
