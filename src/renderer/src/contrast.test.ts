import { describe, expect, it } from 'vitest'
import { contrastRatio } from './palette'
import { THEME } from './theme'

describe('theme contrast (WCAG 2.1 AA)', () => {
  const c: Record<string, string> = THEME

  it('text and muted text pass 4.5:1 on every surface', () => {
    for (const surface of ['bg', 'panel', 'panel-2', 'tile-bg']) {
      for (const fg of ['text', 'muted']) {
        expect({ fg, surface, ratio: contrastRatio(c[fg], c[surface]) >= 4.5 }).toEqual({
          fg,
          surface,
          ratio: true
        })
      }
    }
  })

  it('filled and outlined buttons pass 4.5:1', () => {
    expect(contrastRatio(c['on-accent'], c.accent)).toBeGreaterThanOrEqual(4.5)
    expect(contrastRatio(c['on-danger'], c.danger)).toBeGreaterThanOrEqual(4.5)
    expect(contrastRatio(c.danger, c['panel-2'])).toBeGreaterThanOrEqual(4.5)
  })

  it('the focus ring and selection border stand out 3:1 from what they surround', () => {
    for (const surface of ['bg', 'panel', 'tile-bg']) {
      expect(contrastRatio(c.focus, c[surface])).toBeGreaterThanOrEqual(3)
      expect(contrastRatio(c.accent, c[surface])).toBeGreaterThanOrEqual(3)
    }
  })
})
