import { describe, expect, it } from 'vitest'
import type { Box } from '../../../../shared/domain'
import { BREAK_MS, noChange, perMinute, summariseLabels } from './summary'

const box = (tag: string, x = 0): Box => ({ tag, x1: x, y1: 0, x2: x + 10, y2: 10 })

describe('summariseLabels', () => {
  it('names tags added and removed, and boxes added, removed, moved and relabelled', () => {
    const base = { tags: ['day', 'blurry'], boxes: [box('cat'), box('dog', 20), box('car', 40)] }
    const mine = {
      tags: ['day', 'night'],
      boxes: [box('cat', 3), box('cow', 20), box('bus', 60), box('person', 80)]
    }
    // cat moved, dog relabelled to cow, car removed, bus and person drawn anew.
    const summary = summariseLabels({ base, mine, origins: [0, 1, null, null], cleared: false })
    expect(summary).toEqual({
      tagsAdded: ['night'],
      tagsRemoved: ['blurry'],
      boxesAdded: ['bus', 'person'],
      boxesRemoved: ['car'],
      boxesMoved: ['cat'],
      boxesRelabelled: [{ from: 'dog', to: 'cow' }],
      cleared: false
    })
    expect(noChange(summary)).toBe(false)
  })

  it('a box both relabelled and moved is both; every label removed is a clearing', () => {
    const base = { tags: ['x'], boxes: [box('cat')] }
    const both = summariseLabels({
      base,
      mine: { tags: ['x'], boxes: [box('dog', 5)] },
      origins: [0],
      cleared: false
    })
    expect(both.boxesRelabelled).toEqual([{ from: 'cat', to: 'dog' }])
    expect(both.boxesMoved).toEqual(['dog'])
    const cleared = summariseLabels({
      base,
      mine: { tags: [], boxes: [] },
      origins: [],
      cleared: true
    })
    expect(cleared).toMatchObject({ cleared: true, tagsRemoved: ['x'], boxesRemoved: ['cat'] })
  })

  it('boxes named by no origin but equal to a base box are that box kept (a conflict kept as mine)', () => {
    const base = { tags: [], boxes: [box('cat'), box('dog', 20)] }
    const mine = { tags: [], boxes: [box('cat'), box('dog', 25)] }
    const summary = summariseLabels({ base, mine, origins: [null, null], cleared: false })
    expect(summary.boxesAdded).toEqual(['dog'])
    expect(summary.boxesRemoved).toEqual(['dog'])
    expect(summary.boxesMoved).toEqual([])
    // Boxes in another order and nothing else: no change.
    const reordered = summariseLabels({
      base,
      mine: { tags: [], boxes: [box('dog', 20), box('cat')] },
      origins: [1, 0],
      cleared: false
    })
    expect(noChange(reordered)).toBe(true)
  })
})

describe('perMinute', () => {
  it('is images less one over the span, as the live counter says; null until two apart', () => {
    expect(perMinute([])).toBeNull()
    expect(perMinute([{ sampleId: 'a', at: 0 }])).toBeNull()
    expect(
      perMinute([
        { sampleId: 'a', at: 0 },
        { sampleId: 'b', at: 0 }
      ])
    ).toBeNull()
    // 11 images in 5 minutes: 2 a minute; a second change of one image is not a new image.
    const run = Array.from({ length: 11 }, (_, i) => ({ sampleId: `s${i}`, at: i * 30_000 }))
    expect(perMinute([...run, { sampleId: 's3', at: 300_000 }])).toBeCloseTo(2)
  })

  it('leaves breaks longer than ten minutes out of the time', () => {
    const morning = Array.from({ length: 6 }, (_, i) => ({ sampleId: `m${i}`, at: i * 60_000 }))
    const later = 5 * 60_000 + BREAK_MS + 1
    const afternoon = Array.from({ length: 6 }, (_, i) => ({
      sampleId: `a${i}`,
      at: later + i * 30_000
    }))
    // (5 + 5) images over (5 + 2.5) minutes.
    expect(perMinute([...afternoon, ...morning])).toBeCloseTo(10 / 7.5)
  })
})
