import { Fragment, useId } from 'react'
import { useTranslation } from 'react-i18next'
import { isMacPlatform, shortcutTable, type Context, type KeyName } from '../shortcuts'
import { Modal } from './Modal'

function Key(props: { name: KeyName }) {
  const { t } = useTranslation()
  return (
    <kbd>{'char' in props.name ? props.name.char : t(`shortcuts.keys.${props.name.i18n}`)}</kbd>
  )
}

/**
 * Every shortcut, from the same table the key handler uses; the box editor's keys when the
 * viewer edits boxes (`editBoxes`).
 */
export function ShortcutSheet(props: { onClose: () => void; editBoxes?: boolean }) {
  const { t } = useTranslation()
  const titleId = useId()
  const table = shortcutTable(isMacPlatform(), props.editBoxes)
  const sections: Context[] = ['grid', 'viewer']
  return (
    <Modal labelledBy={titleId} onClose={props.onClose} className="shortcut-sheet">
      <h2 id={titleId}>{t('shortcuts.title')}</h2>
      <div className="shortcut-columns">
        {sections.map((context) => (
          <section key={context}>
            <h3>{t(`shortcuts.${context}`)}</h3>
            <dl>
              {table
                .filter((s) => s.contexts.includes(context))
                .map((s, i) => (
                  <Fragment key={`${s.label}-${i}`}>
                    <dt>
                      {s.keys.map((combo, j) => (
                        <Fragment key={j}>
                          {j > 0 && <span className="key-or">{t('shortcuts.keys.or')}</span>}
                          {combo.map((name, m) => (
                            <Fragment key={m}>
                              {m > 0 && t('shortcuts.keys.plus')}
                              <Key name={name} />
                            </Fragment>
                          ))}
                        </Fragment>
                      ))}
                    </dt>
                    <dd>{t(`shortcuts.${s.label}`)}</dd>
                  </Fragment>
                ))}
            </dl>
          </section>
        ))}
      </div>
      <div className="actions">
        <button type="button" className="primary" onClick={props.onClose} data-autofocus>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  )
}
