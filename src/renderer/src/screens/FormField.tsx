import { useId, type ReactNode } from 'react'
import { useTranslation } from 'react-i18next'
import type { FieldProblem } from './connectionFields'

/** A labelled form field with its hint and its problem, both tied to the control for screen readers. */
export function Field(props: {
  label: string
  problem?: FieldProblem
  hint?: string
  children: (ids: { id: string; describedBy: string | undefined; invalid: boolean }) => ReactNode
}) {
  const { t } = useTranslation()
  const id = useId()
  const hintId = `${id}-hint`
  const problemId = `${id}-problem`
  const describedBy = [props.hint ? hintId : '', props.problem ? problemId : '']
    .filter(Boolean)
    .join(' ')
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children({
        id,
        describedBy: describedBy || undefined,
        invalid: Boolean(props.problem)
      })}
      {props.hint && (
        <span className="hint" id={hintId}>
          {props.hint}
        </span>
      )}
      {props.problem && (
        <span className="problem" id={problemId}>
          {t(`connections.form.invalid.${props.problem}`)}
        </span>
      )}
    </div>
  )
}
