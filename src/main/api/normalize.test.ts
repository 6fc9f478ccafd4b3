import { describe, expect, it } from 'vitest'
import { normalizeDataset, normalizeLabel, normalizeSample, normalizeStats } from './normalize'
import { WireSample, WireStats } from './wire'

describe('normalize', () => {
  it('turns a detection sample into tags, boxes (top-left, bottom-right) and size', () => {
    const wire = WireSample.parse({
      sample_id: 's1',
      sample_name: 'cars.jpg',
      sample_type: 0,
      sample_status: 'MANUAL_ANNOTATION',
      sample_size: 1234,
      sample_time: 1700000000000,
      source: 'https://obs.example/s1.jpg?sig=x',
      labels: [
        {
          name: 'car',
          type: 1,
          property: {
            '@modelarts:shape': 'bndbox',
            '@modelarts:feature': [
              [10, 20],
              [110, 90]
            ]
          }
        },
        {
          name: 'car',
          type: 1,
          // corners given bottom-right first, as strings: still one box
          property: {
            '@modelarts:shape': 'bndbox',
            '@modelarts:feature': [
              ['300', '200'],
              ['250', '150']
            ]
          }
        },
        { name: 'person', type: 1, property: { '@modelarts:shape': 'polygon' } }
      ],
      metadata: { '@modelarts:size': [640, 480, 3] },
      extra_field: 'ignored'
    })
    expect(normalizeSample(wire)).toEqual({
      id: 's1',
      name: 'cars.jpg',
      tags: ['car', 'person'],
      boxes: [
        { tag: 'car', x1: 10, y1: 20, x2: 110, y2: 90 },
        { tag: 'car', x1: 250, y1: 150, x2: 300, y2: 200 }
      ],
      size: { width: 640, height: 480, depth: 3 },
      annotated: true,
      time: 1700000000000,
      bytes: 1234
    })
  })

  it('turns an untagged classification sample into empty tags and no size', () => {
    const sample = normalizeSample(
      WireSample.parse({ sample_id: 's2', sample_status: 'UN_ANNOTATION', labels: [] })
    )
    expect(sample).toMatchObject({ tags: [], boxes: [], size: null, annotated: false, name: 's2' })
  })

  it('maps dataset types and leaves other kinds out', () => {
    const base = { dataset_id: 'd', dataset_name: 'n', create_time: 5 }
    expect(normalizeDataset({ ...base, dataset_type: 0 })?.type).toBe('classification')
    expect(normalizeDataset({ ...base, dataset_type: 1 })).toEqual({
      id: 'd',
      name: 'n',
      description: '',
      type: 'detection',
      createdAt: 5,
      dataPath: ''
    })
    expect(normalizeDataset({ ...base, dataset_type: 100 })).toBeNull()
  })

  it('reads label colors and stats', () => {
    expect(
      normalizeLabel({ name: 'cat', type: 0, property: { '@modelarts:color': '#aabbcc' } })
    ).toEqual({ name: 'cat', type: 'classification', color: '#aabbcc' })
    expect(
      normalizeLabel({ name: 'x', type: 1, property: { '@modelarts:color': 'red' } }).color
    ).toBeNull()
    const stats = WireStats.parse({
      label_stats: [{ name: 'cat', type: 0, count: 4, sample_count: 3 }],
      sample_stats: { all: 10, total: 10, un_annotation: 7, manual_annotation: 3, deleted: 1 }
    })
    expect(normalizeStats(stats)).toEqual({
      labels: [{ name: 'cat', count: 4, sampleCount: 3 }],
      all: 10,
      tagged: 3,
      untagged: 7,
      deleted: 1
    })
  })
})
