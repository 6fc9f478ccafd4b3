import { useImperativeHandle, useState, type Ref } from 'react'
import { useTranslation } from 'react-i18next'
import { ErrorNotice } from '../components/ErrorNotice'
import { findProjects } from '../data/connections'
import { projectLookup, type FieldProblem, type FormState } from './connectionFields'
import { Field } from './FormField'

type Lookup =
  | { kind: 'idle' }
  | { kind: 'looking' }
  | { kind: 'found'; name: string }
  | { kind: 'choose'; projects: { id: string; name: string }[] }
  | { kind: 'none' }
  | { kind: 'failed'; error: unknown }

/**
 * The project id: looked up from IAM with the sign-in above it (a region's own project fills
 * in by itself; several are offered as a choice), and always editable, for a private cloud whose
 * IAM does not answer.
 */
export interface ProjectFieldHandle {
  /** Looks the project up for this state of the form (a region just chosen), when it can. */
  find(form: FormState): void
}

export function ProjectField(props: {
  form: FormState
  secretNeeded: boolean
  problem?: FieldProblem
  onPick: (projectId: string) => void
  handle?: Ref<ProjectFieldHandle>
}) {
  const { t } = useTranslation()
  const [lookup, setLookup] = useState<Lookup>({ kind: 'idle' })
  const ready = projectLookup(props.form, props.secretNeeded) !== null

  const find = async (form: FormState) => {
    const request = projectLookup(form, props.secretNeeded)
    if (!request) return
    setLookup({ kind: 'looking' })
    try {
      const projects = await findProjects(request)
      if (projects.length === 1) {
        props.onPick(projects[0].id)
        setLookup({ kind: 'found', name: projects[0].name })
      } else setLookup(projects.length === 0 ? { kind: 'none' } : { kind: 'choose', projects })
    } catch (error) {
      setLookup({ kind: 'failed', error })
    }
  }
  useImperativeHandle(props.handle, () => ({ find: (form) => void find(form) }))

  return (
    <>
      <Field
        label={t('connections.form.projectId')}
        problem={props.problem}
        hint={t('connections.form.projectIdHint')}
      >
        {(f) => (
          <span className="field-row">
            <input
              id={f.id}
              className="mono"
              aria-describedby={f.describedBy}
              aria-invalid={f.invalid}
              value={props.form.projectId}
              spellCheck={false}
              onChange={(e) => props.onPick(e.target.value)}
            />
            <button
              type="button"
              disabled={!ready || lookup.kind === 'looking'}
              onClick={() => void find(props.form)}
            >
              {lookup.kind === 'looking'
                ? t('connections.form.findingProject')
                : t('connections.form.findProject')}
            </button>
          </span>
        )}
      </Field>
      <div role="status" className="project-lookup">
        {lookup.kind === 'found' && (
          <p className="hint">{t('connections.form.projectFound', { name: lookup.name })}</p>
        )}
        {lookup.kind === 'none' && <p className="hint">{t('connections.form.projectNone')}</p>}
      </div>
      {lookup.kind === 'choose' && (
        <fieldset className="project-choice">
          <legend>{t('connections.form.projectChoose')}</legend>
          {lookup.projects.map((p) => (
            <label key={p.id} className="check">
              <input
                type="radio"
                name="project-choice"
                checked={props.form.projectId === p.id}
                onChange={() => props.onPick(p.id)}
              />
              {p.name} <code>{p.id}</code>
            </label>
          ))}
        </fieldset>
      )}
      {lookup.kind === 'failed' && <ErrorNotice error={lookup.error} />}
    </>
  )
}
