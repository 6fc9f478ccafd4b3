import { useCallback, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ConnectionProfile } from '../../../shared/domain'
import { ErrorNotice } from '../components/ErrorNotice'
import {
  addDemoConnection,
  demoOffer,
  listConnections,
  removeConnection,
  secretStorage,
  testConnection,
  type DemoOffer
} from '../data/connections'
import { useLoad } from '../useLoad'
import { ConnectionForm } from './ConnectionForm'
import { EMPTY_FORM, describeTarget, formFrom, type FormState } from './connectionFields'
import { VerdictView } from './VerdictView'
import { log } from '../log'

interface Overview {
  profiles: ConnectionProfile[]
  demo: DemoOffer | null
  encryptionAvailable: boolean
}

async function loadOverview(): Promise<Overview> {
  const [profiles, demo, secrets] = await Promise.all([
    listConnections(),
    demoOffer().catch((error: unknown) => {
      log.warn('the demo on offer could not be read', error)
      return null
    }),
    secretStorage().catch(() => ({ encryptionAvailable: true, backend: 'unknown' }))
  ])
  return { profiles, demo, encryptionAvailable: secrets.encryptionAvailable }
}

function sameService(
  a: Pick<ConnectionProfile, 'target' | 'projectId'>,
  b: Pick<ConnectionProfile, 'target' | 'projectId'>
) {
  return describeTarget(a) === describeTarget(b) && a.projectId === b.projectId
}

/** First run and the connection switcher: the demo on offer, saved profiles, and the form. */
export function ConnectionsScreen(props: { onOpen: (profile: ConnectionProfile) => void }) {
  const { t } = useTranslation()
  const [overview, reload] = useLoad(useCallback(() => loadOverview(), []))
  const [form, setForm] = useState<{ state: FormState; editing: boolean; key: number } | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const [failure, setFailure] = useState<unknown>(null)
  const [tested, setTested] = useState<{
    id: string
    verdict: Awaited<ReturnType<typeof testConnection>>
  } | null>(null)

  const openForm = (state: FormState, editing: boolean) =>
    setForm({ state, editing, key: Date.now() })

  const run = async (label: string, action: () => Promise<void>) => {
    setBusy(label)
    setFailure(null)
    try {
      await action()
    } catch (error) {
      setFailure(error)
    } finally {
      setBusy(null)
    }
  }

  if (overview.status === 'loading') {
    return (
      <div className="screen connections-screen" aria-busy="true">
        <p className="loading">{t('common.loading')}</p>
      </div>
    )
  }
  if (overview.status === 'error') {
    return (
      <div className="screen connections-screen">
        <ErrorNotice error={overview.error} onRetry={reload} />
      </div>
    )
  }
  const { profiles, demo, encryptionAvailable } = overview.value
  const savedDemo = demo ? profiles.find((p) => sameService(p, demo)) : undefined
  // First run with nothing on offer: the form is the screen.
  const shownForm =
    form ?? (profiles.length === 0 && !demo ? { state: EMPTY_FORM, editing: false, key: 0 } : null)

  return (
    <div className="screen connections-screen">
      <h1>{t('connections.title')}</h1>
      <p className="intro">{t('connections.intro')}</p>
      {failure !== null && <ErrorNotice error={failure} />}

      {demo && !savedDemo && (
        <section className="panel demo-offer" aria-labelledby="demo-title">
          <h2 id="demo-title">{t('connections.demo.title')}</h2>
          <p>{t('connections.demo.body', { url: describeTarget(demo) })}</p>
          <div className="actions">
            <button
              type="button"
              className="primary"
              disabled={busy !== null}
              onClick={() => void run('demo', async () => props.onOpen(await addDemoConnection()))}
            >
              {t('connections.demo.use')}
            </button>
            <button type="button" onClick={() => openForm(formFrom(demo), false)}>
              {t('connections.demo.fill')}
            </button>
          </div>
        </section>
      )}

      <section aria-labelledby="saved-title">
        <h2 id="saved-title">{t('connections.saved')}</h2>
        {profiles.length === 0 && <p className="empty">{t('connections.none')}</p>}
        {profiles.length > 0 && (
          <ul className="cards">
            {profiles.map((profile) => (
              <li key={profile.id} className="card connection-card">
                <h3>{profile.name}</h3>
                <p className="mono">{describeTarget(profile)}</p>
                <p className="muted">
                  {t('connections.project', { id: profile.projectId })}
                  {' · '}
                  {profile.auth.kind === 'aksk'
                    ? t('connections.authKind.aksk', { ak: profile.auth.ak })
                    : t('connections.authKind.password', { user: profile.auth.user })}
                  {' · '}
                  {t(`connections.secret.${profile.secretKeeping}`)}
                </p>
                {tested?.id === profile.id && <VerdictView verdict={tested.verdict} />}
                <div className="actions">
                  <button
                    type="button"
                    className="primary"
                    aria-label={t('connections.openNamed', { name: profile.name })}
                    onClick={() => props.onOpen(profile)}
                  >
                    {t('connections.open')}
                  </button>
                  <button
                    type="button"
                    disabled={busy !== null}
                    onClick={() =>
                      void run(`test-${profile.id}`, async () =>
                        setTested({
                          id: profile.id,
                          verdict: await testConnection({ id: profile.id })
                        })
                      )
                    }
                  >
                    {busy === `test-${profile.id}`
                      ? t('connections.form.testing')
                      : t('connections.test')}
                  </button>
                  <button type="button" onClick={() => openForm(formFrom(profile), true)}>
                    {t('connections.edit')}
                  </button>
                  <button
                    type="button"
                    className="danger"
                    aria-label={t('connections.removeNamed', { name: profile.name })}
                    disabled={busy !== null}
                    onClick={() => {
                      if (!window.confirm(t('connections.removeConfirm', { name: profile.name })))
                        return
                      void run(`remove-${profile.id}`, async () => {
                        await removeConnection(profile.id)
                        reload()
                      })
                    }}
                  >
                    {t('connections.remove')}
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
        {!shownForm && (
          <button type="button" onClick={() => openForm(EMPTY_FORM, false)}>
            {t('connections.add')}
          </button>
        )}
      </section>

      {shownForm && (
        <ConnectionForm
          key={shownForm.key}
          initial={shownForm.state}
          editing={shownForm.editing}
          encryptionAvailable={encryptionAvailable}
          onCancel={form ? () => setForm(null) : undefined}
          onSaved={(profile) => {
            setForm(null)
            reload()
            props.onOpen(profile)
          }}
        />
      )}
    </div>
  )
}
