import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { UpdateState } from '../../../shared/updates'
import { respondToUpdate, useUpdateState } from '../data/updates'
import { Modal } from './Modal'

/**
 * In the top bar: a downloaded update asks before it installs ("Later" keeps it for another
 * time, from the same place), and an accepted one says what it waits for (deletions to sync,
 * a sync to finish) and can still be put off. Nothing at all in builds without a release feed.
 */
export function UpdatePrompt() {
  const { t } = useTranslation()
  const state = useUpdateState()
  const [asking, setAsking] = useState(false)
  const [failed, setFailed] = useState<string | null>(null)
  if (!state) return null

  const answer = (install: boolean) => {
    setAsking(false)
    respondToUpdate(install).then(
      () => setFailed(null),
      (error: unknown) => setFailed(error instanceof Error ? error.message : String(error))
    )
  }
  const line = statusLine(state, t)
  const offer = state.phase === 'ready' && (asking || !state.declined)
  return (
    <>
      {state.phase === 'ready' && state.declined && (
        <button type="button" onClick={() => setAsking(true)} data-testid="update-ready">
          {t('updates.readyButton', { version: state.version })}
        </button>
      )}
      {line && (
        <span role="status" className="muted" data-testid="update-status">
          {line}
        </span>
      )}
      {state.phase === 'waiting' && (
        <button type="button" onClick={() => answer(false)}>
          {t('updates.notNow')}
        </button>
      )}
      {failed && (
        <span role="alert" className="muted">
          {t('updates.answerFailed', { message: failed })}
        </span>
      )}
      {offer && <UpdateDialog version={state.version} onAnswer={answer} />}
    </>
  )
}

function statusLine(state: UpdateState, t: ReturnType<typeof useTranslation>['t']): string | null {
  switch (state.phase) {
    case 'waiting':
      return state.pendingDeletions > 0
        ? t('updates.waiting', { version: state.version, count: state.pendingDeletions })
        : t('updates.waitingSync', { version: state.version })
    case 'installing':
      return t('updates.installing', { version: state.version })
    default:
      return null
  }
}

function UpdateDialog(props: { version: string; onAnswer: (install: boolean) => void }) {
  const { t } = useTranslation()
  const titleId = useId()
  const bodyId = useId()
  return (
    <Modal labelledBy={titleId} describedBy={bodyId} onClose={() => props.onAnswer(false)}>
      <h2 id={titleId}>{t('updates.readyTitle', { version: props.version })}</h2>
      <p id={bodyId}>{t('updates.readyBody')}</p>
      <div className="actions">
        <button type="button" data-autofocus onClick={() => props.onAnswer(false)}>
          {t('updates.later')}
        </button>
        <button type="button" className="primary" onClick={() => props.onAnswer(true)}>
          {t('updates.install')}
        </button>
      </div>
    </Modal>
  )
}

/** What Settings says under "Check for updates", from main's state. */
export function updateSettingHint(
  state: UpdateState | null,
  t: ReturnType<typeof useTranslation>['t']
): string {
  switch (state?.phase) {
    case 'unavailable':
      return t('updates.unavailable')
    case 'checking':
      return t('updates.checking')
    case 'downloading':
      return t('updates.downloading', {
        version: state.version,
        percent: Math.round(state.percent)
      })
    case 'idle':
      return state.checkedAt === null ? t('updates.hint') : t('updates.upToDate')
    case 'ready':
    case 'waiting':
    case 'installing':
      return t('updates.readyStatus', { version: state.version })
    case 'error':
      return t('updates.error', { message: state.message })
    default:
      return t('updates.hint')
  }
}
