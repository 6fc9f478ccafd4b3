import { useId, useState, type KeyboardEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { Modal } from '../components/Modal'
import { TagChip } from '../components/TagChip'
import type { ColorOf } from '../palette'

/**
 * The tags of a classification image: digits 1-9 (or a click) add or remove one of the job's
 * first nine labels, typing adds a new one, Enter applies the set.
 */
export function TagPicker(props: {
  name: string
  labels: readonly string[]
  current: readonly string[]
  colorOf: ColorOf
  /** What the picker does, when not the image's own tags (tags added to a selection). */
  hint?: string
  onApply(tags: string[]): void
  onCancel(): void
}) {
  const { t } = useTranslation()
  const titleId = useId()
  const [chosen, setChosen] = useState(() => new Set(props.current))
  const [typed, setTyped] = useState('')
  const all = [...new Set([...props.labels, ...props.current])]
  const toggle = (tag: string) =>
    setChosen((before) => {
      const next = new Set(before)
      if (next.has(tag)) next.delete(tag)
      else next.add(tag)
      return next
    })
  const apply = () => {
    const extra = typed.trim()
    props.onApply([...chosen, ...(extra && !chosen.has(extra) ? [extra] : [])])
  }
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const plain = !event.altKey && !event.ctrlKey && !event.metaKey
    if (plain && typed === '' && /^[1-9]$/.test(event.key)) {
      event.preventDefault()
      const tag = all[Number(event.key) - 1]
      if (tag !== undefined) toggle(tag)
      return
    }
    if (event.key === 'Enter') {
      event.preventDefault()
      apply()
    }
  }
  return (
    <Modal labelledBy={titleId} onClose={props.onCancel} className="tag-picker">
      <h2 id={titleId} lang="">
        {t('review.retagTitle', { name: props.name })}
      </h2>
      <p className="muted small">{props.hint ?? t('review.retagHint')}</p>
      <ul className="tag-choices" data-testid="tag-choices">
        {all.map((tag, i) => (
          <li key={tag}>
            <label className="check">
              <input type="checkbox" checked={chosen.has(tag)} onChange={() => toggle(tag)} />
              {i < 9 && <kbd>{i + 1}</kbd>}
              <TagChip tag={tag} color={props.colorOf(tag)} />
            </label>
          </li>
        ))}
      </ul>
      <label className="field">
        <span>{t('review.retagNew')}</span>
        <input
          type="text"
          data-autofocus
          data-testid="tag-input"
          maxLength={256}
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          onKeyDown={onKeyDown}
        />
      </label>
      <div className="actions">
        <button type="button" onClick={props.onCancel}>
          {t('review.cancel')}
        </button>
        <button type="button" className="primary" onClick={apply}>
          {t('review.apply')}
        </button>
      </div>
    </Modal>
  )
}
