import { useTranslation } from 'react-i18next'
import type { Box } from '../../../shared/domain'
import type { ProblemKind } from '../offline'
import { TagChip } from '../components/TagChip'
import type { ColorOf } from '../palette'
import type { BoxEditor } from './useBoxEditor'

/**
 * The image's boxes beside the canvas. Each box is a button: focus (Tab) or the pointer
 * highlights it on the canvas, and the highlighted one is aria-current. Where boxes can be
 * edited, a click selects it (aria-pressed), and the selected one offers its label and delete.
 */
export function BoxList(props: {
  boxes: readonly Box[]
  colorOf: ColorOf
  labelledBy: string
  hovered: number | null
  problemsOf(index: number): ProblemKind[]
  onHighlight(index: number | null): void
  editor: BoxEditor
}) {
  const { t } = useTranslation()
  const { editor } = props
  return (
    <ol className="box-list" aria-labelledby={props.labelledBy}>
      {props.boxes.map((box, i) => {
        const selected = editor.selected === i
        const problems = props.problemsOf(i)
        const classes = ['box-item', props.hovered === i && 'hot', selected && 'selected']
        return (
          <li key={i}>
            <button
              type="button"
              className={classes.filter(Boolean).join(' ')}
              aria-current={props.hovered === i ? 'true' : undefined}
              aria-pressed={editor.on ? selected : undefined}
              data-testid="box-item"
              onFocus={() => props.onHighlight(i)}
              onBlur={() => props.onHighlight(null)}
              onMouseEnter={() => props.onHighlight(i)}
              onMouseLeave={() => props.onHighlight(null)}
              onClick={editor.on ? () => editor.select(selected ? null : i) : undefined}
            >
              <TagChip tag={box.tag} color={props.colorOf(box.tag)} small />
              <span className="mono small">
                {t('viewer.boxAt', {
                  x1: Math.round(box.x1),
                  y1: Math.round(box.y1),
                  x2: Math.round(box.x2),
                  y2: Math.round(box.y2)
                })}
              </span>
              {problems.length > 0 && (
                <span className="box-problem" data-testid="box-problem">
                  {problems.map((k) => t(`problems.kind.${k}`)).join(t('grid.tagSeparator'))}
                </span>
              )}
            </button>
            {selected && (
              <span className="box-item-actions">
                <button
                  type="button"
                  aria-label={t('viewer.relabelBox', { number: i + 1 })}
                  aria-haspopup="dialog"
                  onClick={() => editor.openPicker(i)}
                >
                  {t('viewer.relabel')}
                </button>
                <button type="button" className="danger" onClick={() => editor.remove(i)}>
                  {t('viewer.deleteBox')}
                </button>
              </span>
            )}
          </li>
        )
      })}
    </ol>
  )
}
