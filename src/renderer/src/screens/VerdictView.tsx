import { useTranslation } from 'react-i18next'
import type { ConnectionVerdict } from '../../../shared/domain'

/** A connection test's outcome, in the user's language, with the service's words underneath. */
export function VerdictView(props: { verdict: ConnectionVerdict }) {
  const { t } = useTranslation()
  const v = props.verdict
  const ok = v.reachable && v.authOk !== false && v.projectOk !== false
  const headline = !v.reachable
    ? t('connections.verdict.unreachable')
    : v.authOk === false
      ? t('connections.verdict.auth')
      : v.projectOk === false
        ? t('connections.verdict.project')
        : v.datasets !== null
          ? t('connections.verdict.ok', { count: v.datasets })
          : t('connections.verdict.okNoCount')
  const skewSeconds = v.clockSkewMs === null ? 0 : Math.round(v.clockSkewMs / 1000)
  return (
    <div
      className={ok ? 'verdict verdict-ok' : 'verdict verdict-bad'}
      role="status"
      data-testid="verdict"
    >
      <p>{headline}</p>
      {Math.abs(skewSeconds) >= 60 && (
        <p>{t('connections.verdict.clockSkew', { seconds: skewSeconds })}</p>
      )}
      {!ok && v.message && (
        <p className="error-detail" lang="">
          {t('connections.verdict.detail', { message: v.message })}
        </p>
      )}
    </div>
  )
}
