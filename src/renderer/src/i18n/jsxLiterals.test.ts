import { describe, expect, it } from 'vitest'
import { findRawJsxText } from './jsxLiterals'

// Every component of the renderer, as source text (Vite's glob import; no node APIs here).
const SOURCES = import.meta.glob<string>('../**/*.tsx', {
  query: '?raw',
  import: 'default',
  eager: true
})

describe('raw text in JSX', () => {
  it('is caught: text, literal children and readable attributes', () => {
    const found = findRawJsxText(
      'x.tsx',
      `const A = () => (
        <div title="Hello" data-testid="ok" className="x">
          Some text
          {busy ? 'Saving' : t('save')}
          {error && 'Oops'}
          <img alt={\`photo \${n}\`} />
          <span aria-label={t('fine')}>{t('fine')} · {count} × 3</span>
        </div>
      )`
    )
    expect(found.map((f) => [f.where, f.text])).toEqual([
      ['title', 'Hello'],
      ['text', 'Some text'],
      ['child', 'Saving'],
      ['child', 'Oops'],
      ['alt', 'photo']
    ])
  })

  it('is absent from every renderer component', () => {
    expect(Object.keys(SOURCES).length).toBeGreaterThan(10)
    const offenders = Object.entries(SOURCES).flatMap(([file, source]) =>
      findRawJsxText(file, source).map((f) => `${file}:${f.line} ${f.where} "${f.text}"`)
    )
    expect(offenders).toEqual([])
  })
})
