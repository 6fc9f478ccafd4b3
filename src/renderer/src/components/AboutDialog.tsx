import { useId } from 'react'
import { useTranslation } from 'react-i18next'
import { platform } from '../platform'
import { MainStatus } from './MainStatus'
import { Modal } from './Modal'

/** Who is running and how: the version, the transport to main and its round trip. */
export function AboutDialog(props: { onClose: () => void }) {
  const { t } = useTranslation()
  const titleId = useId()
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
      </dl>
      <div className="actions">
        <button type="button" className="primary" data-autofocus onClick={props.onClose}>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  )
}
