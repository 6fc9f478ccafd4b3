import { useEffect, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { call } from '../platform'

type Status =
  | { kind: 'checking' }
  | { kind: 'ok'; version: string; roundTripMs: number }
  | { kind: 'error'; message: string }

/**
 * Proves the renderer -> main path (app.version, app.ping). In the About box it shows the
 * version and the round trip; `onlyProblems` (the top bar) shows nothing unless main is
 * unreachable.
 */
export function MainStatus(props: { onlyProblems?: boolean }) {
  const { t } = useTranslation()
  const [status, setStatus] = useState<Status>({ kind: 'checking' })

  useEffect(() => {
    let cancelled = false
    const check = async () => {
      try {
        const { version } = await call('app.version')
        const nonce = crypto.randomUUID()
        const started = performance.now()
        const pong = await call('app.ping', { nonce })
        if (pong.nonce !== nonce) throw new Error('ping answered with the wrong nonce')
        if (!cancelled) setStatus({ kind: 'ok', version, roundTripMs: performance.now() - started })
      } catch (error) {
        if (!cancelled)
          setStatus({
            kind: 'error',
            message: error instanceof Error ? error.message : String(error)
          })
      }
    }
    void check()
    return () => {
      cancelled = true
    }
  }, [])

  if (props.onlyProblems && status.kind !== 'error') return null
  return (
    <span
      role="status"
      aria-label={t('app.mainStatus.label')}
      data-testid="main-status"
      className="main-status"
    >
      {status.kind === 'checking' && t('app.mainStatus.checking')}
      {status.kind === 'ok' &&
        t('app.mainStatus.ok', { version: status.version, ms: status.roundTripMs.toFixed(0) })}
      {status.kind === 'error' && t('app.mainStatus.error', { message: status.message })}
    </span>
  )
}
