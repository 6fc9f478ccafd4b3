import { useId } from 'react'
import { useTranslation } from 'react-i18next'
import { LOCALES, currentLocale, setLocale, type Locale } from '../i18n'
import { updateSettings, useSettings } from '../settings'
import { Modal } from './Modal'

export function SettingsDialog(props: { onClose: () => void }) {
  const { t } = useTranslation()
  const settings = useSettings()
  const titleId = useId()
  const languageId = useId()
  return (
    <Modal labelledBy={titleId} onClose={props.onClose}>
      <h2 id={titleId}>{t('settings.title')}</h2>
      <div className="field">
        <label htmlFor={languageId}>{t('settings.language')}</label>
        <select
          id={languageId}
          value={currentLocale()}
          onChange={(event) => void setLocale(event.target.value as Locale)}
        >
          {LOCALES.map((locale) => (
            <option key={locale} value={locale} lang={locale}>
              {t(`language.${locale}`)}
            </option>
          ))}
        </select>
      </div>
      <label className="check">
        <input
          type="checkbox"
          checked={settings.confirmSingleDelete}
          onChange={(event) => updateSettings({ confirmSingleDelete: event.target.checked })}
        />
        {t('settings.confirmSingleDelete')}
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={settings.tileBoxes}
          onChange={(event) => updateSettings({ tileBoxes: event.target.checked })}
        />
        {t('settings.tileBoxes')}
        <span className="hint">{t('settings.tileBoxesHint')}</span>
      </label>
      <div className="actions">
        <button type="button" className="primary" onClick={props.onClose}>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  )
}
