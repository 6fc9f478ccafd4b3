import { useCallback, useId } from 'react'
import { useTranslation } from 'react-i18next'
import { applyCacheCap, offline } from '../data/offline'
import { LOCALES, currentLocale, setLocale, type Locale } from '../i18n'
import { formatBytes } from '../i18n/format'
import { CACHE_CAPS, UNDO_WINDOWS, updateSettings, useSettings } from '../settings'
import { configureUpdates, useUpdateState } from '../data/updates'
import { useLoad } from '../useLoad'
import { Modal } from './Modal'
import { updateSettingHint } from './UpdatePrompt'

export function SettingsDialog(props: { onClose: () => void }) {
  const { t } = useTranslation()
  const settings = useSettings()
  const titleId = useId()
  const languageId = useId()
  const undoId = useId()
  const undoHintId = useId()
  const cacheId = useId()
  const cacheHintId = useId()
  const updates = useUpdateState()
  const [usage, reloadUsage] = useLoad(useCallback(() => offline().storageUsage(), []))
  const caps = [...new Set<number>([...CACHE_CAPS, settings.cacheCapMb])].sort(
    (a, b) => (a || Infinity) - (b || Infinity)
  )
  const locale = currentLocale()
  // A value set elsewhere (an older choice) stays selectable.
  const windows = [...new Set<number>([...UNDO_WINDOWS, settings.undoWindowSeconds])].sort(
    (a, b) => a - b
  )
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
      <div className="field">
        <label htmlFor={undoId}>{t('settings.undoWindow')}</label>
        <select
          id={undoId}
          aria-describedby={undoHintId}
          value={settings.undoWindowSeconds}
          onChange={(event) => updateSettings({ undoWindowSeconds: Number(event.target.value) })}
        >
          {windows.map((seconds) => (
            <option key={seconds} value={seconds}>
              {seconds === 0
                ? t('settings.undoWindowNone')
                : t('settings.undoWindowSeconds', { count: seconds })}
            </option>
          ))}
        </select>
        <span className="hint" id={undoHintId}>
          {t('settings.undoWindowHint')}
        </span>
      </div>
      <div className="field">
        <label htmlFor={cacheId}>{t('settings.cacheCap')}</label>
        <select
          id={cacheId}
          aria-describedby={cacheHintId}
          value={settings.cacheCapMb}
          onChange={(event) => {
            const cacheCapMb = Number(event.target.value)
            updateSettings({ cacheCapMb })
            void applyCacheCap(cacheCapMb).then(reloadUsage)
          }}
        >
          {caps.map((mb) => (
            <option key={mb} value={mb}>
              {mb === 0 ? t('settings.cacheCapNone') : formatBytes(mb * 1024 * 1024, locale)}
            </option>
          ))}
        </select>
        <span className="hint" id={cacheHintId} data-testid="storage-usage">
          {usage.status === 'ok'
            ? t('settings.cacheUsage', {
                cache: formatBytes(usage.value.cacheBytes, locale),
                offline: formatBytes(usage.value.offlineBytes, locale)
              })
            : t('settings.cacheHint')}
        </span>
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
      <label className="check">
        <input
          type="checkbox"
          checked={settings.checkForUpdates}
          onChange={(event) => {
            updateSettings({ checkForUpdates: event.target.checked })
            void configureUpdates(event.target.checked)
          }}
        />
        {t('updates.setting')}
        <span className="hint" data-testid="update-hint">
          {updateSettingHint(updates, t)}
        </span>
      </label>
      <div className="actions">
        <button type="button" className="primary" onClick={props.onClose}>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  )
}
