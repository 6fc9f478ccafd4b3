import { describe, expect, it } from 'vitest'
import { PALETTE, colorsFor, contrastRatio, hashName, paletteColor, textOn } from './palette'

describe('palette', () => {
  it('gives a name the same color every time', () => {
    expect(paletteColor('car')).toBe(paletteColor('car'))
    expect(hashName('car')).toBe(hashName('car'))
    expect(PALETTE).toContain(paletteColor('行人'))
  })

  it('spreads names over the palette', () => {
    const names = ['car', 'person', 'bike', 'bus', 'truck', 'dog', 'cat', 'fish', 'bird', 'tree']
    expect(new Set(names.map(paletteColor)).size).toBeGreaterThanOrEqual(6)
  })

  it('prefers the label color and falls back to the palette', () => {
    const color = colorsFor([
      { name: 'car', type: 'detection', color: '#FF0000' },
      { name: 'bus', type: 'detection', color: null },
      { name: 'van', type: 'detection', color: 'red' }
    ])
    expect(color('car')).toBe('#ff0000')
    expect(color('bus')).toBe(paletteColor('bus'))
    expect(color('van')).toBe(paletteColor('van'))
    expect(color('unknown')).toBe(paletteColor('unknown'))
  })

  it('picks chip text that passes WCAG AA on every palette color', () => {
    for (const color of PALETTE)
      expect(contrastRatio(color, textOn(color))).toBeGreaterThanOrEqual(4.5)
    expect(textOn('#000000')).toBe('#ffffff')
    expect(textOn('#ffffff')).toBe('#000000')
  })
})
