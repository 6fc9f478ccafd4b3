import { useTranslation } from 'react-i18next'

/** The grid's toolbar: how many images, how many selected, and what to do with them. */
export function SelectionBar(props: {
  total: number | null
  /** The first page failed: no count to show (the error panel says why). */
  failed: boolean
  selected: number
  selecting: { done: number; total: number } | null
  detection: boolean
  tileBoxes: boolean
  onSelectVisible(): void
  onSelectAll(): void
  onCancelSelectAll(): void
  onClear(): void
  onDelete(): void
  onToggleBoxes(): void
  onShortcuts(): void
}) {
  const { t } = useTranslation()
  return (
    <div className="toolbar" role="toolbar" aria-label={t('grid.label')}>
      <span className="toolbar-count" data-testid="grid-count">
        {props.total !== null
          ? t('grid.count', { count: props.total })
          : props.failed
            ? null
            : t('common.loading')}
      </span>
      <span className="toolbar-selected" data-testid="selection-count" aria-live="polite">
        {props.selected > 0 ? t('selection.count', { count: props.selected }) : t('selection.none')}
      </span>
      <span className="spacer" />
      <button type="button" onClick={props.onSelectVisible} disabled={!props.total}>
        {t('selection.selectVisible')}
      </button>
      {props.selecting ? (
        <span className="selecting" role="status">
          <progress max={props.selecting.total} value={props.selecting.done} />
          {t('selection.selecting', props.selecting)}
          <button type="button" onClick={props.onCancelSelectAll}>
            {t('common.cancel')}
          </button>
        </span>
      ) : (
        <button type="button" onClick={props.onSelectAll} disabled={!props.total}>
          {t('selection.selectAll', { count: props.total ?? 0 })}
        </button>
      )}
      <button type="button" onClick={props.onClear} disabled={props.selected === 0}>
        {t('selection.clear')}
      </button>
      <button
        type="button"
        className="danger"
        onClick={props.onDelete}
        disabled={props.selected === 0}
      >
        {t('selection.delete')}
      </button>
      {props.detection && (
        <label className="check">
          <input type="checkbox" checked={props.tileBoxes} onChange={props.onToggleBoxes} />
          {t('grid.boxes')}
        </label>
      )}
      <button type="button" onClick={props.onShortcuts} aria-keyshortcuts="?">
        {t('nav.shortcuts')}
      </button>
    </div>
  )
}
