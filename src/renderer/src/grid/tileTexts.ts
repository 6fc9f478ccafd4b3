import type { TFunction } from 'i18next'
import { formatCount } from '../i18n/format'

/**
 * The grid's per-tile texts, translated once per language and filled in per tile. i18next's
 * t() costs too much to call for every tile on every frame of a fast scroll.
 */
export interface TileTexts {
  loading(position: number): string
  label(name: string, tags: readonly string[]): string
  more(count: number): string
  /** A thumbnail that did not load (offline and never downloaded, or refused). */
  noImage: string
}

const SLOT_A = '\u0001a\u0001'
const SLOT_B = '\u0001b\u0001'

function fill(template: string, a: string, b = ''): string {
  return template.split(SLOT_A).join(a).split(SLOT_B).join(b)
}

export function tileTexts(t: TFunction, locale: string): TileTexts {
  const loading = t('grid.loadingTile', { position: SLOT_A })
  const label = t('grid.tileLabel', { name: SLOT_A, tags: SLOT_B })
  const noTags = t('grid.noTags')
  const separator = t('grid.tagSeparator')
  return {
    loading: (position) => fill(loading, formatCount(position, locale)),
    label: (name, tags) => fill(label, name, tags.length ? tags.join(separator) : noTags),
    more: (count) => t('grid.moreTags', { count }),
    noImage: t('grid.noImage')
  }
}
