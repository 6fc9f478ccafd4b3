import { useId, useState } from 'react'
import { useTranslation } from 'react-i18next'
import type { Box } from '../../../shared/domain'
import { sameBox, type LabelSet } from '../../../shared/labels'
import { Modal } from '../components/Modal'
import { resolveConflict, type EditRow } from '../data/review'
import type { ColorOf } from '../palette'
import { platform } from '../platform'
import { showToast } from '../toasts'
import { log } from '../log'

/**
 * A label change a colleague's change got in the way of, side by side: the labels the service
 * holds now (theirs) and the reviewer's (mine), the boxes both changed drawn thick. The
 * reviewer keeps one side; nothing was sent meanwhile.
 */
export function ConflictDialog(props: { row: EditRow; colorOf: ColorOf; onClose(): void }) {
  const { t } = useTranslation()
  const titleId = useId()
  const { row, colorOf } = props
  const conflict = row.conflict
  const mine = row.labels?.mine
  const [size, setSize] = useState<{ width: number; height: number } | null>(null)
  const [variant, setVariant] = useState<'full' | 'thumb'>('full')
  if (!conflict || !mine) return null
  const url = platform.imageUrl(row.connectionId, row.jobId, row.sampleId, variant)
  const clashing = (box: Box, side: 'theirs' | 'mine') =>
    conflict.boxes.some((c) => sameBox(c[side], box))
  const choose = async (choice: 'theirs' | 'mine') => {
    try {
      await resolveConflict(row.id, choice)
      showToast({ message: t(`conflict.kept.${choice}`), tone: 'info' })
      props.onClose()
    } catch (error) {
      log.error('a conflict could not be settled', error)
      showToast({ message: t('conflict.failed'), tone: 'error' })
    }
  }
  const side = (which: 'theirs' | 'mine', labels: LabelSet) => (
    <figure className="conflict-side" data-testid={`conflict-${which}`}>
      <figcaption>{t(`conflict.${which}`)}</figcaption>
      <div className="conflict-image">
        <img
          src={url}
          alt=""
          onLoad={(e) =>
            setSize({ width: e.currentTarget.naturalWidth, height: e.currentTarget.naturalHeight })
          }
          onError={() => setVariant('thumb')}
        />
        {size && (
          <svg
            viewBox={`0 0 ${size.width} ${size.height}`}
            preserveAspectRatio="none"
            aria-hidden="true"
          >
            {labels.boxes.map((box, i) => (
              <rect
                key={i}
                x={box.x1}
                y={box.y1}
                width={box.x2 - box.x1}
                height={box.y2 - box.y1}
                fill="none"
                stroke={colorOf(box.tag)}
                strokeWidth={clashing(box, which) ? 4 : 1.5}
                strokeDasharray={clashing(box, which) ? '8 4' : undefined}
                vectorEffect="non-scaling-stroke"
              />
            ))}
          </svg>
        )}
      </div>
      <ul className="conflict-labels">
        {labels.tags.map((tag) => (
          <li key={`tag-${tag}`}>{tag}</li>
        ))}
        {labels.boxes.map((box, i) => (
          <li key={i} className={clashing(box, which) ? 'conflict-clash' : undefined} lang="">
            {t('conflict.box', {
              tag: box.tag,
              x1: Math.round(box.x1),
              y1: Math.round(box.y1),
              x2: Math.round(box.x2),
              y2: Math.round(box.y2)
            })}
          </li>
        ))}
        {labels.tags.length === 0 && labels.boxes.length === 0 && <li>{t('conflict.none')}</li>}
      </ul>
    </figure>
  )
  return (
    <Modal labelledBy={titleId} onClose={props.onClose} className="conflict-dialog">
      <h2 id={titleId}>{t('conflict.title', { name: row.name ?? row.sampleId })}</h2>
      <p>{t(conflict.reason === 'empty' ? 'conflict.empty' : 'conflict.explain')}</p>
      <div className="conflict-sides">
        {side('theirs', conflict.theirs)}
        {side('mine', mine)}
      </div>
      <div className="actions">
        <button type="button" onClick={props.onClose}>
          {t('conflict.later')}
        </button>
        <button type="button" data-autofocus onClick={() => void choose('theirs')}>
          {t('conflict.keepTheirs')}
        </button>
        <button type="button" className="primary" onClick={() => void choose('mine')}>
          {t('conflict.keepMine')}
        </button>
      </div>
    </Modal>
  )
}
