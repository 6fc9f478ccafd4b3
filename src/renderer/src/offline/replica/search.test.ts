import { describe, expect, it } from 'vitest'
import type { Sample } from '../../../../shared/domain'
import { inFilter, markCount, matcher, narrows, sortSamples } from './search'

const sample = (
  id: string,
  name: string,
  tags: string[],
  boxes = tags.length,
  time = 0
): Sample => ({
  id,
  name,
  tags,
  boxes: Array.from({ length: boxes }, (_, i) => ({
    tag: tags[i % Math.max(1, tags.length)] ?? 'x',
    x1: 0,
    y1: 0,
    x2: 1,
    y2: 1
  })),
  size: null,
  annotated: tags.length > 0,
  time,
  bytes: null
})

const a = sample('a', 'Cat-10.jpg', ['cat'], 1, 3)
const b = sample('b', 'cat-9.jpg', ['cat', 'dog'], 4, 1)
const c = sample('c', 'dog.png', ['dog'], 2, 2)
const d = sample('d', 'empty.jpg', [], 0, 4)
const all = [a, b, c, d]
const ids = (xs: Sample[]) => xs.map((s) => s.id)

describe('local search', () => {
  it('any / all / none of several labels', () => {
    const find = (mode: 'any' | 'all' | 'none') =>
      ids(all.filter(matcher({ labels: { mode, names: ['cat', 'dog'] } })))
    expect(find('any')).toEqual(['a', 'b', 'c'])
    expect(find('all')).toEqual(['b'])
    expect(find('none')).toEqual(['d'])
  })

  it('a range of boxes, bounds included, and part of a name in any case', () => {
    expect(ids(all.filter(matcher({ boxes: { min: 1, max: 2 } })))).toEqual(['a', 'c'])
    expect(ids(all.filter(matcher({ boxes: { min: 3 } })))).toEqual(['b'])
    expect(ids(all.filter(matcher({ nameContains: ' CAT ' })))).toEqual(['a', 'b'])
    expect(
      ids(all.filter(matcher({ labels: { mode: 'any', names: ['dog'] }, nameContains: 'cat' })))
    ).toEqual(['b'])
  })

  it('label counts leave the label choice out, the rest in', () => {
    const rest = matcher(
      { labels: { mode: 'all', names: ['cat', 'dog'] }, boxes: { max: 2 } },
      true
    )
    expect(ids(all.filter(rest))).toEqual(['a', 'c', 'd'])
  })

  it('sorts by name (numbers as numbers), time or boxes, ties in the service order', () => {
    expect(ids(sortSamples([...all], { by: 'name', dir: 'asc' }))).toEqual(['b', 'a', 'c', 'd'])
    expect(ids(sortSamples([...all], { by: 'time', dir: 'desc' }))).toEqual(['d', 'a', 'c', 'b'])
    const tie = sample('e', 'e', ['cat'], 1)
    expect(ids(sortSamples([a, c, tie, b], { by: 'boxes', dir: 'asc' }))).toEqual([
      'a',
      'e',
      'c',
      'b'
    ])
    expect(ids(sortSamples([...all], { by: 'service', dir: 'desc' }))).toEqual(['d', 'c', 'b', 'a'])
  })

  it('the service filters: tagged is annotated, a label is any of its tags', () => {
    expect(ids(all.filter((s) => inFilter({ kind: 'tagged' }, s)))).toEqual(['a', 'b', 'c'])
    expect(ids(all.filter((s) => inFilter({ kind: 'untagged' }, s)))).toEqual(['d'])
    expect(ids(all.filter((s) => inFilter({ kind: 'tag', tag: 'dog' }, s)))).toEqual(['b', 'c'])
    expect(markCount(sample('f', 'f', ['cat'], 0))).toBe(1)
  })

  it('sorting alone narrows nothing; an empty label list or blank name asks nothing', () => {
    expect(narrows({ sort: { by: 'name', dir: 'asc' } })).toBe(false)
    expect(narrows({ labels: { mode: 'none', names: [] }, nameContains: '  ' })).toBe(false)
    expect(narrows({ boxes: { min: 0 } })).toBe(true)
  })
})
