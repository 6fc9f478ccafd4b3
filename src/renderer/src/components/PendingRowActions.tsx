import { useTranslation } from 'react-i18next'

/** A pending row's buttons: Undo while it waits, Retry and Discard once it failed or waits. */
export function RowActions(props: {
  undo: (() => void) | null
  retryOrDiscard: { retry: () => void; discard: () => void } | null
}) {
  const { t } = useTranslation()
  return (
    <>
      {props.undo && (
        <button type="button" onClick={props.undo}>
          {t('pending.undo')}
        </button>
      )}
      {props.retryOrDiscard && (
        <>
          <button type="button" onClick={props.retryOrDiscard.retry}>
            {t('pending.retry')}
          </button>
          <button type="button" onClick={props.retryOrDiscard.discard}>
            {t('pending.discard')}
          </button>
        </>
      )}
    </>
  )
}
