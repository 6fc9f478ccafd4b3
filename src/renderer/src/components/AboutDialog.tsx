import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { log } from '../log'
import { call, platform } from '../platform'
import { ErrorNotice } from './ErrorNotice'
import { MainStatus } from './MainStatus'
import { Modal } from './Modal'

type LogsFolder =
  | { kind: 'idle' }
  | { kind: 'shown'; path: string; opened: boolean }
  | { kind: 'failed'; error: unknown }

/** A web page cannot open a folder: the browser shell says where it is instead. */
function logsSaid(opened: boolean) {
  if (opened) return 'about.logsOpened'
  return platform.shell === 'browser' ? 'about.logsHere' : 'about.logsNotOpened'
}

/** Who is running and how: the version, the transport to main and its round trip; the logs. */
export function AboutDialog(props: { onClose: () => void }) {
  const { t } = useTranslation()
  const titleId = useId()
  const [logs, setLogs] = useState<LogsFolder>({ kind: 'idle' })
  const openLogs = () => {
    call('app.openLogsFolder').then(
      ({ path, opened }) => setLogs({ kind: 'shown', path, opened }),
      (error: unknown) => {
        log.warn('the logs folder could not be asked for', error)
        setLogs({ kind: 'failed', error })
      }
    )
  }
  return (
    <Modal labelledBy={titleId} onClose={props.onClose} className="about-dialog">
      <h2 id={titleId}>{t('about.title')}</h2>
      <p>{t('about.what')}</p>
      <dl className="about-facts">
        <dt>{t('about.transport')}</dt>
        <dd data-testid="shell-kind">{t(`app.shell.${platform.shell}`)}</dd>
        <dt>{t('app.mainStatus.label')}</dt>
        <dd>
          <MainStatus />
        </dd>
        <dt>{t('about.logs')}</dt>
        <dd>
          <p>{t('about.logsWhat')}</p>
          <button type="button" onClick={openLogs}>
            {t('about.openLogs')}
          </button>
          {logs.kind === 'shown' && (
            <p role="status">
              {t(logsSaid(logs.opened))}{' '}
              <code data-testid="logs-path" lang="">
                {logs.path}
              </code>
            </p>
          )}
          {logs.kind === 'failed' && <ErrorNotice error={logs.error} />}
        </dd>
      </dl>
      <div className="actions">
        <button type="button" className="primary" data-autofocus onClick={props.onClose}>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  )
}
