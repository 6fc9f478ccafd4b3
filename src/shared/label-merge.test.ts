import { describe, expect, it } from 'vitest'
import type { Box } from './domain'
import { labelSetOfRaw, mergeLabels, type RawLabel } from './label-merge'
import { LabelEdit, type LabelSet } from './labels'

const box = (tag: string, x1: number, y1: number, x2: number, y2: number): Box => ({
  tag,
  x1,
  y1,
  x2,
  y2
})
const raw = (b: Box, extra: Record<string, unknown> = {}): RawLabel => ({
  name: b.tag,
  type: 1,
  property: {
    '@modelarts:shape': 'bndbox',
    '@modelarts:feature': [
      [b.x1, b.y1],
      [b.x2, b.y2]
    ],
    ...extra
  }
})
const tag = (name: string): RawLabel => ({ name, type: 0 })

const A = box('cat', 0, 0, 100, 100)
const B = box('dog', 200, 200, 300, 300)
const C = box('car', 400, 0, 500, 80)
const base: LabelSet = { tags: [], boxes: [A, B, C] }

function edit(mine: Box[], origins: (number | null)[], from: LabelSet = base): LabelEdit {
  return LabelEdit.parse({
    sampleId: 's1',
    base: from,
    mine: { tags: from.tags, boxes: mine },
    origins,
    cleared: false
  })
}

describe('mergeLabels', () => {
  it('sends the reviewer change on the labels as the service holds them, unknown properties kept', () => {
    const theirs = [
      raw(A, { note: 'keep me' }),
      raw(B),
      raw(C),
      { name: 'poly', property: { '@modelarts:shape': 'polygon' } }
    ]
    const moved = box('cat', 10, 10, 110, 110)
    const result = mergeLabels(edit([moved, B, C], [0, 1, 2]), theirs)
    expect(result.kind).toBe('send')
    if (result.kind !== 'send') return
    expect(result.merged).toBe(false)
    expect(result.labels[0]).toEqual(raw(moved, { note: 'keep me' }))
    expect(result.labels.slice(1)).toEqual(theirs.slice(1))
  })

  it('is a no-op when the service already holds the change (a re-send after a crash)', () => {
    const moved = box('cat', 10, 10, 110, 110)
    expect(mergeLabels(edit([moved, B, C], [0, 1, 2]), [raw(moved), raw(B), raw(C)])).toEqual({
      kind: 'unchanged'
    })
  })

  it('merges box by box where the colleague touched other boxes', () => {
    // Mine: A moved, C deleted, D drawn. Theirs: B relabelled, E drawn.
    const moved = box('cat', 5, 5, 105, 105)
    const D = box('cat', 600, 600, 700, 700)
    const relabelled = box('wolf', 200, 200, 300, 300)
    const E = box('bird', 800, 10, 850, 60)
    const result = mergeLabels(edit([moved, B, D], [0, 1, null]), [
      raw(A),
      raw(relabelled),
      raw(C),
      raw(E)
    ])
    expect(result.kind).toBe('send')
    if (result.kind !== 'send') return
    expect(result.merged).toBe(true)
    expect(result.result.boxes).toEqual([moved, relabelled, E, D])
  })

  it('shows a box both changed differently as a conflict and sends nothing', () => {
    const mine = box('cat', 10, 0, 110, 100)
    const theirs = box('cat', 0, 20, 100, 120)
    const result = mergeLabels(edit([mine, B, C], [0, 1, 2]), [raw(theirs), raw(B), raw(C)])
    expect(result).toEqual({
      kind: 'conflict',
      reason: 'boxes',
      theirs: { tags: [], boxes: [theirs, B, C] },
      boxes: [{ base: A, theirs, mine }]
    })
  })

  it('lets a deletion win over an edit, on either side', () => {
    const moved = box('cat', 10, 10, 110, 110)
    // They deleted A, which I moved; I deleted B, which they moved.
    const theirB = box('dog', 210, 210, 310, 310)
    const result = mergeLabels(edit([moved, C], [0, 2]), [raw(theirB), raw(C)])
    expect(result.kind).toBe('send')
    if (result.kind !== 'send') return
    expect(result.result.boxes).toEqual([C])
  })

  it('never sends an empty list unless the reviewer cleared the image', () => {
    // I kept only A (moved); they deleted A meanwhile and I deleted the rest.
    const moved = box('cat', 10, 10, 110, 110)
    const left = mergeLabels(edit([moved], [0]), [raw(B), raw(C)])
    expect(left).toMatchObject({ kind: 'conflict', reason: 'empty' })
    const cleared = LabelEdit.parse({
      sampleId: 's1',
      base,
      mine: { tags: [], boxes: [] },
      origins: [],
      cleared: true
    })
    expect(mergeLabels(cleared, [raw(A), raw(B), raw(C)])).toMatchObject({
      kind: 'send',
      labels: []
    })
  })

  it('merges image tags as sets: theirs, less what I removed, plus what I added', () => {
    const tags: LabelSet = { tags: ['cat', 'indoor'], boxes: [] }
    const mine = LabelEdit.parse({
      sampleId: 's1',
      base: tags,
      mine: { tags: ['cat', 'blurry'], boxes: [] },
      origins: [],
      cleared: false
    })
    const theirs = [tag('cat'), { ...tag('indoor'), extra: 1 }, tag('night')]
    const result = mergeLabels(mine, theirs)
    expect(result).toMatchObject({
      kind: 'send',
      merged: true,
      labels: [tag('cat'), tag('night'), { name: 'blurry', type: 0 }]
    })
  })

  it('reads boxes whose corners come in any order, and numeric strings', () => {
    expect(
      labelSetOfRaw([
        {
          name: 'cat',
          property: {
            '@modelarts:shape': 'bndbox',
            '@modelarts:feature': [
              ['9', 8],
              [1, '2']
            ]
          }
        }
      ])
    ).toEqual({ tags: [], boxes: [box('cat', 1, 2, 9, 8)] })
  })
})

describe('LabelEdit', () => {
  it('refuses origins that do not line up with the boxes, and a cleared image with labels', () => {
    const ok = { sampleId: 's', base, mine: base, origins: [0, 1, 2], cleared: false }
    expect(LabelEdit.safeParse(ok).success).toBe(true)
    expect(LabelEdit.safeParse({ ...ok, origins: [0, 1] }).success).toBe(false)
    expect(LabelEdit.safeParse({ ...ok, origins: [0, 1, 7] }).success).toBe(false)
    expect(LabelEdit.safeParse({ ...ok, cleared: true }).success).toBe(false)
  })
})
