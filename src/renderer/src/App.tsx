import { useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { ConnectionProfile, Dataset, Label } from '../../shared/domain'
import { AboutDialog } from './components/AboutDialog'
import { MainStatus } from './components/MainStatus'
import { SettingsDialog } from './components/SettingsDialog'
import { SyncStatus } from './components/SyncStatus'
import { Toasts } from './components/Toasts'
import { UpdatePrompt } from './components/UpdatePrompt'
import { ConnectionsScreen } from './screens/ConnectionsScreen'
import { JobScreen } from './screens/JobScreen'
import { JobsScreen } from './screens/JobsScreen'

type Route =
  | { kind: 'connections' }
  | { kind: 'jobs'; connection: ConnectionProfile }
  | { kind: 'job'; connection: ConnectionProfile; dataset: Dataset; labels: Label[] }

/** The app shell: where you are, the sync status, settings and About; and the current screen. */
export function App() {
  const { t } = useTranslation()
  const [route, setRoute] = useState<Route>({ kind: 'connections' })
  const [settingsOpen, setSettingsOpen] = useState(false)
  const [aboutOpen, setAboutOpen] = useState(false)
  const connection = route.kind === 'connections' ? null : route.connection

  return (
    <div className="app">
      <a className="skip-link" href="#content">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <span className="brand">{t('app.name')}</span>
        <nav aria-label={t('nav.breadcrumb')} className="breadcrumb">
          <ol>
            <li>
              <button
                type="button"
                className="link"
                aria-current={route.kind === 'connections' ? 'page' : undefined}
                onClick={() => setRoute({ kind: 'connections' })}
              >
                {t('nav.connections')}
              </button>
            </li>
            {connection && (
              <li>
                <button
                  type="button"
                  className="link"
                  aria-current={route.kind === 'jobs' ? 'page' : undefined}
                  onClick={() => setRoute({ kind: 'jobs', connection })}
                >
                  {connection.name}
                </button>
              </li>
            )}
            {route.kind === 'job' && (
              <li>
                <span aria-current="page" lang="">
                  {route.dataset.name}
                </span>
              </li>
            )}
          </ol>
        </nav>
        <span className="spacer" />
        <SyncStatus connectionId={connection?.id} />
        <MainStatus onlyProblems />
        <UpdatePrompt />
        <button type="button" onClick={() => setSettingsOpen(true)}>
          {t('nav.settings')}
        </button>
        <button type="button" onClick={() => setAboutOpen(true)}>
          {t('nav.about')}
        </button>
      </header>
      <main id="content" className="content">
        {route.kind === 'connections' && (
          <ConnectionsScreen
            onOpen={(profile) => setRoute({ kind: 'jobs', connection: profile })}
          />
        )}
        {route.kind === 'jobs' && (
          <JobsScreen
            key={route.connection.id}
            connection={route.connection}
            onOpen={(summary) =>
              setRoute({
                kind: 'job',
                connection: route.connection,
                dataset: summary.job,
                labels: summary.labels
              })
            }
          />
        )}
        {route.kind === 'job' && (
          <JobScreen
            key={`${route.connection.id}/${route.dataset.id}`}
            connection={route.connection}
            dataset={route.dataset}
            labels={route.labels}
          />
        )}
      </main>
      <Toasts />
      {settingsOpen && <SettingsDialog onClose={() => setSettingsOpen(false)} />}
      {aboutOpen && <AboutDialog onClose={() => setAboutOpen(false)} />}
    </div>
  )
}
