import { useId, useState, type FocusEvent, type KeyboardEvent } from 'react'
import { useTranslation } from 'react-i18next'
import { TagChip } from '../components/TagChip'
import type { ColorOf } from '../palette'

/**
 * A small label chooser over the image: typing filters, digits 1-9 take one of the first nine
 * shown, arrows and Enter take the highlighted one, Escape (or leaving it) cancels.
 */
export function LabelPicker(props: {
  labels: readonly string[]
  current: string
  colorOf: ColorOf
  onPick(label: string): void
  onCancel(): void
}) {
  const { t } = useTranslation()
  const id = useId()
  const [filter, setFilter] = useState('')
  const [active, setActive] = useState(() => Math.max(0, props.labels.indexOf(props.current)))
  const needle = filter.trim().toLowerCase()
  const shown = props.labels.filter((label) => label.toLowerCase().includes(needle))
  const activeIndex = Math.min(active, shown.length - 1)

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    const plain = !event.altKey && !event.ctrlKey && !event.metaKey
    if (plain && /^[1-9]$/.test(event.key)) {
      event.preventDefault()
      const label = shown[Number(event.key) - 1]
      if (label !== undefined) props.onPick(label)
      return
    }
    switch (event.key) {
      case 'ArrowDown':
      case 'ArrowUp':
        event.preventDefault()
        if (shown.length > 0)
          setActive(
            (activeIndex + (event.key === 'ArrowDown' ? 1 : -1) + shown.length) % shown.length
          )
        return
      case 'Enter':
        event.preventDefault()
        if (activeIndex >= 0) props.onPick(shown[activeIndex])
        return
      case 'Escape':
        event.preventDefault()
        props.onCancel()
        return
    }
  }
  // Clicking elsewhere closes it as Escape would.
  const onBlur = (event: FocusEvent<HTMLDivElement>) => {
    if (!event.currentTarget.contains(event.relatedTarget)) props.onCancel()
  }

  return (
    <div
      className="label-picker"
      role="dialog"
      aria-label={t('viewer.labelPicker')}
      data-testid="label-picker"
      onBlur={onBlur}
    >
      <input
        type="text"
        role="combobox"
        aria-label={t('viewer.labelFilter')}
        placeholder={t('viewer.labelFilter')}
        aria-controls={`${id}-list`}
        aria-expanded="true"
        aria-autocomplete="list"
        aria-activedescendant={activeIndex >= 0 ? `${id}-${activeIndex}` : undefined}
        autoFocus
        value={filter}
        onChange={(event) => {
          setFilter(event.target.value)
          setActive(0)
        }}
        onKeyDown={onKeyDown}
      />
      <ul id={`${id}-list`} role="listbox" aria-label={t('viewer.labelPicker')}>
        {shown.map((label, i) => (
          <li
            key={label}
            id={`${id}-${i}`}
            role="option"
            aria-selected={i === activeIndex}
            className={i === activeIndex ? 'active' : undefined}
            // The filter keeps the focus: a click picks without blurring it first.
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => props.onPick(label)}
          >
            <span className="label-picker-digit">{i < 9 && <kbd>{i + 1}</kbd>}</span>
            <TagChip tag={label} color={props.colorOf(label)} small />
          </li>
        ))}
      </ul>
      {shown.length === 0 && <p className="muted">{t('viewer.noLabelMatch')}</p>}
    </div>
  )
}
