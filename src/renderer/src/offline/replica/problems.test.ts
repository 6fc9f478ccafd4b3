import { describe, expect, it } from 'vitest'
import type { Box, Sample } from '../../../../shared/domain'
import { inThreadFindings, scanProblems } from './findings'
import { findProblems } from './problem-report'
import { iou } from '../../../../shared/labels'
import { PROBLEM_KINDS, type ProblemKind } from './problems'

const box = (tag: string, x1: number, y1: number, x2: number, y2: number): Box => ({
  tag,
  x1,
  y1,
  x2,
  y2
})
const sample = (
  id: string,
  boxes: Box[],
  size: Sample['size'] = { width: 1000, height: 800, depth: 3 }
): Sample => ({
  id,
  name: `${id}.jpg`,
  tags: [...new Set(boxes.map((b) => b.tag))],
  boxes,
  size,
  annotated: boxes.length > 0,
  time: 0,
  bytes: null
})

/** A clean job of 300 images, then one planted defect of each kind, each on known boxes. */
function world() {
  const clean = Array.from({ length: 300 }, (_, i) =>
    sample(`ok${i}`, [
      box(i % 2 ? 'car' : 'person', 10, 10, 200, 150),
      box('tree', 400, 300, 500, 450)
    ])
  )
  const planted: { sample: Sample; kind: ProblemKind; boxes: number[] }[] = [
    { sample: sample('out', [box('car', 900, 700, 1100, 790)]), kind: 'outOfBounds', boxes: [0] },
    {
      sample: sample('flat', [box('car', 10, 10, 10, 90), box('car', 300, 300, 500, 500)]),
      kind: 'noArea',
      boxes: [0]
    },
    { sample: sample('tiny', [box('car', 10, 10, 13, 60)]), kind: 'tiny', boxes: [0] },
    { sample: sample('tinyShare', [box('car', 10, 10, 18, 18)]), kind: 'tiny', boxes: [0] },
    {
      sample: sample('dup', [
        box('car', 100, 100, 300, 300),
        box('car', 102, 101, 301, 302),
        box('tree', 600, 100, 700, 200)
      ]),
      kind: 'duplicate',
      boxes: [0, 1]
    },
    {
      sample: sample('overlap', [
        box('car', 100, 100, 300, 300),
        box('person', 105, 104, 300, 296)
      ]),
      kind: 'overlap',
      boxes: [0, 1]
    },
    { sample: sample('untagged', []), kind: 'untagged', boxes: [] },
    { sample: sample('nosize', [box('car', 10, 10, 200, 200)], null), kind: 'noSize', boxes: [] },
    {
      sample: sample('rare', [box('unicorn', 10, 10, 200, 200), box('car', 300, 300, 500, 500)]),
      kind: 'rareLabel',
      boxes: [0]
    },
    {
      sample: sample(
        'crowd',
        Array.from({ length: 60 }, (_, i) =>
          box(
            'person',
            (i % 10) * 90,
            Math.floor(i / 10) * 120,
            (i % 10) * 90 + 60,
            Math.floor(i / 10) * 120 + 100
          )
        )
      ),
      kind: 'tooManyBoxes',
      boxes: []
    }
  ]
  return { samples: [...clean, ...planted.map((p) => p.sample)], planted }
}

describe('the problem finder', () => {
  it('finds exactly the planted defects of every check (precision and recall 100%)', () => {
    const { samples, planted } = world()
    const report = findProblems(samples)
    for (const kind of PROBLEM_KINDS) {
      const expected = planted
        .filter((p) => p.kind === kind)
        .map((p) => p.sample.id)
        .sort()
      const found = [...report.bySample]
        .filter(([, p]) => p.kinds.includes(kind))
        .map(([id]) => id)
        .sort()
      expect(found, kind).toEqual(expected)
      expect(report.counts[kind], kind).toBe(expected.length)
    }
    for (const p of planted) {
      const offending = report.bySample
        .get(p.sample.id)
        ?.boxes.filter((b) => b.kinds.includes(p.kind))
        .map((b) => b.index)
      expect(offending ?? [], p.sample.id).toEqual(p.boxes)
    }
    expect(report.rareLabels).toEqual(['unicorn'])
    // The clean images have nothing to say.
    expect([...report.bySample.keys()].filter((id) => id.startsWith('ok'))).toEqual([])
  })

  it('settings move the thresholds', () => {
    const { samples } = world()
    const strict = findProblems(samples, {
      tinyPx: 4,
      tinyShare: 0.0001,
      duplicateIoU: 0.99,
      overlapIoU: 0.99,
      rareShare: 0,
      maxBoxes: 100
    })
    expect(strict.counts.duplicate).toBe(0)
    expect(strict.counts.overlap).toBe(0)
    expect(strict.counts.rareLabel).toBe(0)
    expect(strict.counts.tooManyBoxes).toBe(0)
  })

  it('IoU: identical 1, disjoint 0, half-overlapping a third', () => {
    const a = box('x', 0, 0, 10, 10)
    expect(iou(a, a)).toBe(1)
    expect(iou(a, box('x', 20, 20, 30, 30))).toBe(0)
    expect(iou(a, box('x', 5, 0, 15, 10))).toBeCloseTo(1 / 3)
  })

  it('a slice at a time on this thread (no workers), giving it back between slices, finds the same', async () => {
    const { samples } = world()
    const many = Array.from({ length: 8 }, (_, k) =>
      samples.map((s) => ({ ...s, id: `${s.id}-${k}` }))
    ).flat()
    let pauses = 0
    const pause = async () => void (pauses += 1)
    const sliced = await scanProblems(many, inThreadFindings(pause), pause)
    expect(pauses).toBeGreaterThan(2)
    const whole = findProblems(many)
    expect(sliced.counts).toEqual(whole.counts)
    expect([...sliced.bySample]).toEqual([...whole.bySample])
    expect(sliced.rareLabels).toEqual(['unicorn'])
  })

  it('checks the coordinates exactly as given (the typed arrays hold doubles)', () => {
    // In single precision 1000.00001 would be 1000, inside a 1000-pixel-wide image.
    const report = findProblems([
      sample('just-out', [box('car', 10, 10, 1000.00001, 500)]),
      sample('edge', [box('car', 10, 10, 1000, 500)])
    ])
    expect(report.bySample.get('just-out')?.kinds).toEqual(['outOfBounds'])
    expect(report.bySample.has('edge')).toBe(false)
  })

  it('counts a label once per image, and flags an image with no boxes by its rare tag', () => {
    const common = Array.from({ length: 200 }, (_, i) => ({
      ...sample(`c${i}`, []),
      tags: ['cat', 'cat']
    }))
    const rare = { ...sample('r', []), tags: ['dog'] }
    const report = findProblems([...common, rare])
    expect(report.rareLabels).toEqual(['dog'])
    expect(report.bySample.get('r')?.kinds).toEqual(['rareLabel'])
    expect(report.counts.rareLabel).toBe(1)
  })
})
