import { useTranslation } from 'react-i18next'
import { describeError } from '../errors'

/** A failure: our one-line explanation, the service's own message as it sent it, and Retry. */
export function ErrorNotice(props: { error: unknown; onRetry?: () => void; className?: string }) {
  const { t } = useTranslation()
  const d = describeError(props.error)
  return (
    <div role="alert" className={`error-notice ${props.className ?? ''}`}>
      <p className="error-explain">{t(`errors.explain.${d.code}`)}</p>
      {d.service && (
        <div className="error-service">
          <span className="error-label">{t('errors.serviceSaid')}</span>
          <p className="error-message" lang="">
            {d.service.errorMsg} <code>{d.service.errorCode}</code>
          </p>
          {d.service.requestId && (
            <p className="error-request">{t('errors.requestId', { id: d.service.requestId })}</p>
          )}
        </div>
      )}
      {d.detail && (
        <p className="error-detail" lang="">
          {d.detail}
        </p>
      )}
      {props.onRetry && (
        <button type="button" onClick={props.onRetry}>
          {t('common.retry')}
        </button>
      )}
    </div>
  )
}
