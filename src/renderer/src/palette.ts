import type { Label } from '../../shared/domain'

/**
 * Per-class colors: the service's `@modelarts:color` when it gave one, otherwise a stable
 * pick from this palette by a hash of the name, so a class keeps its color in every job,
 * tile, viewer and chip, across restarts.
 */
export const PALETTE = [
  '#4c9bff',
  '#ff7a59',
  '#3ddc97',
  '#f7c948',
  '#c77dff',
  '#ff5d8f',
  '#2ec4d6',
  '#a3d94c',
  '#ff9f1c',
  '#8e9aff',
  '#f15bb5',
  '#5ee6c6'
] as const

const HEX = /^#[0-9a-f]{6}$/i

/** FNV-1a over UTF-16 units: small, fast, the same everywhere. */
export function hashName(name: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

export function paletteColor(name: string): string {
  return PALETTE[hashName(name) % PALETTE.length]
}

export type ColorOf = (tag: string) => string

/** A color function for a job: label colors first, the palette for anything else. */
export function colorsFor(labels: readonly Label[]): ColorOf {
  const known = new Map<string, string>()
  for (const label of labels) {
    if (label.color && HEX.test(label.color)) known.set(label.name, label.color.toLowerCase())
  }
  return (tag) => known.get(tag) ?? paletteColor(tag)
}

function channel(value: number): number {
  const c = value / 255
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4
}

/** WCAG relative luminance of `#rrggbb`. */
export function luminance(hex: string): number {
  const n = Number.parseInt(hex.slice(1), 16)
  return (
    0.2126 * channel((n >> 16) & 255) + 0.7152 * channel((n >> 8) & 255) + 0.0722 * channel(n & 255)
  )
}

export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x)
  return (hi + 0.05) / (lo + 0.05)
}

/** Black or white text on a chip of this color, whichever contrasts more. */
export function textOn(background: string): '#000000' | '#ffffff' {
  return contrastRatio(background, '#000000') >= contrastRatio(background, '#ffffff')
    ? '#000000'
    : '#ffffff'
}
