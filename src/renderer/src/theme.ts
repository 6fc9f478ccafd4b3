/**
 * The theme's colors, applied as CSS custom properties on :root before the first render
 * (styles.css uses only `var(--name)`), so the contrast test checks what users see.
 */
export const THEME = {
  bg: '#111418',
  panel: '#1a1f26',
  'panel-2': '#222831',
  border: '#3a4350',
  text: '#e8ecf1',
  muted: '#a3adba',
  accent: '#4c9bff',
  'on-accent': '#06121f',
  danger: '#ff6b6b',
  'on-danger': '#1f0707',
  ok: '#3ddc97',
  focus: '#ffd166',
  'tile-bg': '#0b0d10'
} as const

export type ThemeColor = keyof typeof THEME

export function applyTheme(root: HTMLElement): void {
  for (const [name, value] of Object.entries(THEME)) root.style.setProperty(`--${name}`, value)
}
