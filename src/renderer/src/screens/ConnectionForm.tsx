import { useId, useRef, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ConnectionProfile, ConnectionVerdict } from '../../../shared/domain'
import { ErrorNotice } from '../components/ErrorNotice'
import { saveConnection, testConnection } from '../data/connections'
import { REGIONS, secretRequired, toInput, type FormState, type Problems } from './connectionFields'
import { Field } from './FormField'
import { ProjectField, type ProjectFieldHandle } from './ProjectField'
import { VerdictView } from './VerdictView'
import { RadioGroup } from '../components/RadioGroup'

type Busy = 'idle' | 'testing' | 'saving'

/** Add or edit a connection: cloud region or custom endpoint, AK/SK or IAM user; test, then save. */
export function ConnectionForm(props: {
  initial: FormState
  editing: boolean
  encryptionAvailable: boolean
  onSaved: (profile: ConnectionProfile) => void
  onCancel?: () => void
}) {
  const { t } = useTranslation()
  const [form, setForm] = useState(props.initial)
  const [problems, setProblems] = useState<Problems>({})
  const [busy, setBusy] = useState<Busy>('idle')
  const [verdict, setVerdict] = useState<ConnectionVerdict | null>(null)
  const [failure, setFailure] = useState<unknown>(null)
  const titleId = useId()
  const projectField = useRef<ProjectFieldHandle>(null)
  const set = <K extends keyof FormState>(key: K, value: FormState[K]) =>
    setForm((f) => ({ ...f, [key]: value }))

  // Editing where the saved secret was entered keeps it; anywhere else needs it typed again.
  const needSecret = secretRequired(props.editing ? props.initial : null, form)
  const checked = () => {
    const result = toInput(form, { secretRequired: needSecret })
    if ('problems' in result) {
      setProblems(result.problems)
      return null
    }
    setProblems({})
    return result.input
  }

  const test = async () => {
    const input = checked()
    if (!input) return
    setBusy('testing')
    setFailure(null)
    setVerdict(null)
    try {
      setVerdict(
        await testConnection(
          props.editing && !input.secret && !needSecret && input.id ? { id: input.id } : input
        )
      )
    } catch (error) {
      setFailure(error)
    } finally {
      setBusy('idle')
    }
  }

  const save = async () => {
    const input = checked()
    if (!input) return
    setBusy('saving')
    setFailure(null)
    try {
      props.onSaved(await saveConnection(input))
    } catch (error) {
      setFailure(error)
    } finally {
      setBusy('idle')
    }
  }

  return (
    <form
      className="panel connection-form"
      aria-labelledby={titleId}
      onSubmit={(event) => {
        event.preventDefault()
        void save()
      }}
      noValidate
    >
      <h2 id={titleId}>
        {props.editing
          ? t('connections.form.editTitle', { name: props.initial.name })
          : t('connections.form.newTitle')}
      </h2>
      <Field label={t('connections.form.name')} problem={problems.name}>
        {(f) => (
          <input
            id={f.id}
            aria-describedby={f.describedBy}
            aria-invalid={f.invalid}
            value={form.name}
            placeholder={t('connections.form.namePlaceholder')}
            onChange={(e) => set('name', e.target.value)}
          />
        )}
      </Field>

      <RadioGroup
        legend={t('connections.form.target')}
        name="target"
        value={form.targetKind}
        onChange={(kind) => set('targetKind', kind)}
        options={[
          { value: 'region', label: t('connections.form.targetRegion') },
          { value: 'endpoint', label: t('connections.form.targetEndpoint') }
        ]}
      />
      {form.targetKind === 'region' ? (
        <Field label={t('connections.form.region')}>
          {(f) => (
            <select
              id={f.id}
              value={form.region}
              onChange={(e) => {
                // Choosing a region looks its project up, when the sign-in below is filled in.
                const next = { ...form, region: e.target.value }
                setForm(next)
                projectField.current?.find(next)
              }}
            >
              {REGIONS.map((region) => (
                <option key={region} value={region}>
                  {t(`regions.${region}`)} ({region})
                </option>
              ))}
            </select>
          )}
        </Field>
      ) : (
        <Field label={t('connections.form.endpoint')} problem={problems.url}>
          {(f) => (
            <input
              id={f.id}
              type="url"
              aria-describedby={f.describedBy}
              aria-invalid={f.invalid}
              value={form.url}
              placeholder={t('connections.form.endpointPlaceholder')}
              onChange={(e) => set('url', e.target.value)}
            />
          )}
        </Field>
      )}
      <RadioGroup
        legend={t('connections.form.auth')}
        name="auth"
        value={form.authKind}
        onChange={(kind) => set('authKind', kind)}
        options={[
          { value: 'aksk', label: t('connections.form.authAksk') },
          { value: 'password', label: t('connections.form.authPassword') }
        ]}
      />
      {form.authKind === 'aksk' ? (
        <Field label={t('connections.form.ak')} problem={problems.ak}>
          {(f) => (
            <input
              id={f.id}
              className="mono"
              aria-describedby={f.describedBy}
              aria-invalid={f.invalid}
              value={form.ak}
              autoComplete="off"
              spellCheck={false}
              onChange={(e) => set('ak', e.target.value)}
            />
          )}
        </Field>
      ) : (
        <>
          <Field label={t('connections.form.user')} problem={problems.user}>
            {(f) => (
              <input
                id={f.id}
                aria-describedby={f.describedBy}
                aria-invalid={f.invalid}
                value={form.user}
                autoComplete="username"
                onChange={(e) => set('user', e.target.value)}
              />
            )}
          </Field>
          <Field label={t('connections.form.domain')} problem={problems.domain}>
            {(f) => (
              <input
                id={f.id}
                aria-describedby={f.describedBy}
                aria-invalid={f.invalid}
                value={form.domain}
                onChange={(e) => set('domain', e.target.value)}
              />
            )}
          </Field>
          {form.targetKind === 'endpoint' && (
            <Field
              label={t('connections.form.iamUrl')}
              problem={problems.iamUrl}
              hint={t('connections.form.iamUrlHint')}
            >
              {(f) => (
                <input
                  id={f.id}
                  type="url"
                  aria-describedby={f.describedBy}
                  aria-invalid={f.invalid}
                  value={form.iamUrl}
                  onChange={(e) => set('iamUrl', e.target.value)}
                />
              )}
            </Field>
          )}
        </>
      )}
      <Field
        label={form.authKind === 'aksk' ? t('connections.form.sk') : t('connections.form.password')}
        problem={problems.secret}
        hint={
          !props.editing
            ? undefined
            : needSecret
              ? t('connections.form.secretAgain')
              : t('connections.form.keepSecret')
        }
      >
        {(f) => (
          <input
            id={f.id}
            type="password"
            aria-describedby={f.describedBy}
            aria-invalid={f.invalid}
            value={form.secret}
            autoComplete={form.authKind === 'password' ? 'current-password' : 'off'}
            onChange={(e) => set('secret', e.target.value)}
          />
        )}
      </Field>
      {!props.encryptionAvailable && (
        <label className="check">
          <input
            type="checkbox"
            checked={form.sessionOnly}
            onChange={(e) => set('sessionOnly', e.target.checked)}
          />
          {t('connections.form.sessionOnly')}
          <span className="hint">{t('connections.form.sessionOnlyHint')}</span>
        </label>
      )}

      <ProjectField
        form={form}
        secretNeeded={needSecret}
        problem={problems.projectId}
        onPick={(id) => set('projectId', id)}
        handle={projectField}
      />

      {verdict && <VerdictView verdict={verdict} />}
      {failure !== null && <ErrorNotice error={failure} />}

      <div className="actions">
        {props.onCancel && (
          <button type="button" onClick={props.onCancel}>
            {t('common.cancel')}
          </button>
        )}
        <button type="button" onClick={() => void test()} disabled={busy !== 'idle'}>
          {busy === 'testing' ? t('connections.form.testing') : t('connections.form.test')}
        </button>
        <button type="submit" className="primary" disabled={busy !== 'idle'}>
          {busy === 'saving' ? t('connections.form.saving') : t('connections.form.save')}
        </button>
      </div>
    </form>
  )
}
