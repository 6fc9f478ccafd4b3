import { textOn } from '../palette'

/** A tag in its class color, with text that stays readable on it. */
export function TagChip(props: { tag: string; color: string; testId?: string; small?: boolean }) {
  return (
    <span
      className={props.small ? 'chip chip-small' : 'chip'}
      style={{ background: props.color, color: textOn(props.color) }}
      data-testid={props.testId}
      lang=""
    >
      {props.tag}
    </span>
  )
}
