import { memo, useState } from 'react'
import type { Sample } from '../../../shared/domain'
import { TagChip } from '../components/TagChip'
import type { ColorOf } from '../palette'
import type { TileTexts } from './tileTexts'

/** Thumbnails already decoded once: shown even while scrolling fast (the browser has them). */
const seen = new Set<string>()
const SEEN_CAP = 20_000

function remember(url: string): void {
  if (seen.size >= SEEN_CAP) seen.clear()
  seen.add(url)
}

const SHOWN_TAGS = 3

interface Props {
  index: number
  total: number
  sample: Sample | undefined
  url: string | null
  x: number
  y: number
  size: number
  selected: boolean
  active: boolean
  /** False while scrolling fast: show a placeholder instead of starting a download. */
  settled: boolean
  /** On screen now (not overscan): its thumbnail is fetched first. */
  visible: boolean
  showBoxes: boolean
  colorOf: ColorOf
  domId: string
  /** Translated once per language by the grid, filled in per tile. */
  texts: TileTexts
}

/** One grid cell: the thumbnail (decoded off the main thread), its tags, and its boxes. */
export const Tile = memo(function Tile(props: Props) {
  const { sample, url, texts } = props
  // The thumbnail URL that failed to load: that tile says so until it shows another image.
  const [failedUrl, setFailedUrl] = useState<string | null>(null)
  const style = {
    transform: `translate(${props.x}px, ${props.y}px)`,
    width: props.size,
    height: props.size
  }
  if (!sample || !url) {
    return (
      <div
        id={props.domId}
        role="option"
        aria-selected={false}
        aria-busy="true"
        aria-label={texts.loading(props.index + 1)}
        aria-posinset={props.index + 1}
        aria-setsize={props.total}
        className={`tile tile-loading${props.active ? ' active' : ''}`}
        data-index={props.index}
        data-testid="tile-loading"
        style={style}
      />
    )
  }
  const showImage = props.settled || seen.has(url)
  const missing = failedUrl === url
  const size = sample.size
  const boxes = props.showBoxes && size && size.width > 0 && size.height > 0 ? sample.boxes : []
  return (
    <div
      id={props.domId}
      role="option"
      aria-selected={props.selected}
      aria-label={texts.label(sample.name, sample.tags)}
      aria-posinset={props.index + 1}
      aria-setsize={props.total}
      className={`tile${props.selected ? ' selected' : ''}${props.active ? ' active' : ''}`}
      data-index={props.index}
      data-sample-id={sample.id}
      data-testid="tile"
      style={style}
      title={sample.name}
    >
      <div className="thumb">
        {missing ? (
          <div className="thumb-missing" data-testid="tile-no-image">
            {texts.noImage}
          </div>
        ) : showImage ? (
          <img
            src={url}
            alt=""
            decoding="async"
            fetchPriority={props.visible ? 'high' : 'low'}
            draggable={false}
            onLoad={(event) => {
              event.currentTarget.style.visibility = ''
              remember(url)
            }}
            // Offline and not downloaded: a word in the tile, not a broken-image icon.
            onError={() => setFailedUrl(url)}
          />
        ) : (
          <div className="thumb-placeholder" />
        )}
        {boxes.length > 0 && size && (
          <svg
            className="tile-boxes"
            viewBox={`0 0 ${size.width} ${size.height}`}
            preserveAspectRatio="xMidYMid meet"
            aria-hidden="true"
          >
            {boxes.map((b, i) => (
              <rect
                key={i}
                x={Math.min(b.x1, b.x2)}
                y={Math.min(b.y1, b.y2)}
                width={Math.abs(b.x2 - b.x1)}
                height={Math.abs(b.y2 - b.y1)}
                stroke={props.colorOf(b.tag)}
                vectorEffect="non-scaling-stroke"
              />
            ))}
          </svg>
        )}
      </div>
      <div className="tile-tags" data-testid="tile-tags">
        {sample.tags.slice(0, SHOWN_TAGS).map((tag) => (
          <TagChip key={tag} tag={tag} color={props.colorOf(tag)} small testId="tile-tag" />
        ))}
        {sample.tags.length > SHOWN_TAGS && (
          <span className="chip chip-small chip-more">
            {texts.more(sample.tags.length - SHOWN_TAGS)}
          </span>
        )}
      </div>
      {sample.verdict && (
        <span
          className={`tile-verdict ${sample.verdict.accept ? 'accepted' : 'rejected'}`}
          data-testid="tile-verdict"
          data-accept={String(sample.verdict.accept)}
          aria-hidden="true"
        >
          {sample.verdict.accept ? '✓' : '✗'}
        </span>
      )}
      {props.selected && (
        <span className="tile-check" aria-hidden="true">
          ✓
        </span>
      )}
    </div>
  )
})
