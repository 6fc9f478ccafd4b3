import 'fake-indexeddb/auto'
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Sample } from '../src/shared/domain'
import { PROBLEM_KINDS } from '../src/renderer/src/offline/replica/problems'
import { findProblems } from '../src/renderer/src/offline/replica/problem-report'
import { startRealWorld, type RealWorld } from './real-world'

// The demo detection job comes with known defects (the service lists them, `demo.defects`): the
// problem finder, fed what main makes of the service's answers, finds exactly those.
let w: RealWorld

beforeAll(async () => {
  w = await startRealWorld()
}, 120_000)
afterAll(async () => {
  await w?.close()
})

describe('the problem finder on the demo', () => {
  it('finds every planted defect of every check, and nothing else (precision and recall 100%)', async () => {
    const planted = w.service.service.demoDefects
    // Listed in the data folder too, for anyone measuring the finder.
    const file = path.join(w.service.dir, 'service', 'demo-defects.json')
    expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(planted)
    const job = { connectionId: w.connection.id, jobId: planted?.datasetId ?? '' }
    const samples: Sample[] = []
    for (let page = 1; ; page++) {
      const got = await w.call('samples.page', {
        ...job,
        filter: { kind: 'everything' },
        page,
        perPage: 100
      })
      samples.push(...got.samples)
      if (page * 100 >= got.total) break
    }
    const report = findProblems(samples)
    const nameOf = new Map(samples.map((s) => [s.id, s.name]))
    const list = planted?.list ?? []
    for (const kind of PROBLEM_KINDS) {
      const expected = list
        .filter((d) => d.kind === kind)
        .map((d) => d.name)
        .sort()
      const found = [...report.bySample]
        .filter(([, p]) => p.kinds.includes(kind))
        .map(([id]) => nameOf.get(id))
        .sort()
      expect(found, kind).toEqual(expected)
    }
    // Each geometric defect on the boxes it was planted on.
    for (const d of list.filter((x) => x.boxes.length > 0)) {
      const id = samples.find((s) => s.name === d.name)?.id ?? ''
      const boxes = report.bySample
        .get(id)
        ?.boxes.filter((b) => b.kinds.includes(d.kind as (typeof PROBLEM_KINDS)[number]))
        .map((b) => b.index)
      expect(boxes, `${d.kind} on ${d.name}`).toEqual(d.boxes)
    }
    // Every check has something planted to find.
    expect(new Set(list.map((d) => d.kind))).toEqual(new Set(PROBLEM_KINDS))
  })
})
