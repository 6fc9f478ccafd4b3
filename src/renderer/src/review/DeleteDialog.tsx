import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import { Modal } from '../components/Modal'

/**
 * "Delete N images?" — states the count and names what it deletes (the first names and how
 * many more); for one image, offers to stop asking.
 */
export function DeleteDialog(props: {
  count: number
  /** “a”, “b”, “c”, and 7 more. */
  list: string
  onConfirm: (dontAskAgain: boolean) => void
  onCancel: () => void
}) {
  const { t } = useTranslation()
  const [dontAsk, setDontAsk] = useState(false)
  const titleId = useId()
  const bodyId = useId()
  return (
    <Modal
      labelledBy={titleId}
      describedBy={bodyId}
      onClose={props.onCancel}
      className="delete-dialog"
    >
      <h2 id={titleId}>{t('delete.title', { count: props.count })}</h2>
      <div id={bodyId}>
        <p>{t('delete.body', { list: props.list })}</p>
        <p className="muted">{t('delete.note')}</p>
      </div>
      {props.count === 1 && (
        <label className="check">
          <input type="checkbox" checked={dontAsk} onChange={(e) => setDontAsk(e.target.checked)} />
          {t('delete.dontAsk')}
        </label>
      )}
      <div className="actions">
        <button type="button" onClick={props.onCancel}>
          {t('common.cancel')}
        </button>
        <button
          type="button"
          className="danger primary"
          data-autofocus
          onClick={() => props.onConfirm(dontAsk)}
        >
          {t('delete.confirm', { count: props.count })}
        </button>
      </div>
    </Modal>
  )
}
