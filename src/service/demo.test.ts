import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Credentials } from './credentials'
import { openDatabase, type Db } from './db'
import { ensureDemo, type DemoRecord } from './demo'
import { DEFAULT_SIZES } from './demo-recipes'
import sharp from 'sharp'
import { Recipe, renderRecipe } from './render'
import { boxOf } from './rows'
import { Store } from './store'

// The demo workspace: made once, default sizes, about 5% untagged, boxes inside their images.
let dir: string
let db: Db
let store: Store
let demo: DemoRecord

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-demo-'))
  db = openDatabase(path.join(dir, 'tagdeck.db'))
  store = new Store(db)
  demo = await ensureDemo(db, store, { now: Date.now() })
})
afterAll(async () => {
  db?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('the demo workspace', () => {
  it('is made once: a second call (a restart) finds the same one', async () => {
    const again = await ensureDemo(db, store, { now: Date.now(), size: 7 })
    expect(again).toEqual(demo)
    // Two old-version jobs and the new-version dataset; Team B's job in its own workspace.
    expect(store.listDatasets(demo.projectId, '0', 'v1', 0, 100).total).toBe(2)
    expect(store.listDatasets(demo.projectId, '0', 'all', 0, 100).total).toBe(3)
    const team = demo.newVersion?.workspace
    expect(
      store.listDatasets(demo.projectId, team?.id ?? '', 'all', 0, 100).rows.map((r) => r.id)
    ).toEqual([team?.datasetId])
    expect(demo.newVersion?.tasks.map((t) => [t.name, t.type])).toEqual([
      ['Boxes: first pass', 1],
      ['Tags: first pass', 0]
    ])
    expect(new Credentials(db).accessKey(demo.ak)).toEqual({
      sk: demo.sk,
      projectId: demo.projectId
    })
    expect(
      await new Credentials(db).checkPassword(demo.domain, demo.user, demo.password)
    ).toMatchObject({
      projectId: demo.projectId
    })
  })

  it('has a classification job and a detection job of the default sizes, about 5% untagged', () => {
    const [classification, detection] = demo.datasets.map((d) =>
      store.dataset(demo.projectId, d.id)
    )
    expect([classification?.type, classification?.sampleCount]).toEqual([
      0,
      DEFAULT_SIZES.classification
    ])
    expect([detection?.type, detection?.sampleCount]).toEqual([1, DEFAULT_SIZES.detection])
    for (const job of [classification, detection]) {
      const share = 1 - (job?.taggedCount ?? 0) / (job?.sampleCount ?? 1)
      expect(share).toBeGreaterThan(0.02)
      expect(share).toBeLessThan(0.09)
      const labels = store.labels(job?.id ?? '')
      expect(labels.length).toBeGreaterThanOrEqual(5)
      expect(new Set(labels.map((l) => l.color)).size).toBe(labels.length)
      expect(labels.every((l) => l.sampleCount > 0)).toBe(true)
    }
  })

  it('keeps every detection box inside its image, apart from the others, on a drawn shape (but in the images planted with defects)', () => {
    const job = demo.datasets[1]?.id ?? ''
    const copies = (demo.defects?.nearDuplicates ?? []).flatMap((g) => g.copies)
    const planted = new Set([
      ...(demo.defects?.list ?? []).filter((d) => d.kind !== 'untagged').map((d) => d.name),
      ...copies.map((c) => c.name)
    ])
    const rows = store.samples(
      job,
      store.pageIds({ datasetId: job, taskId: null }, { kind: 'tagged' }, 'asc', 0, 400)
    )
    expect(rows.filter((row) => planted.has(row.name)).length).toBe(planted.size)
    for (const row of rows.filter((r) => !planted.has(r.name))) {
      const recipe = Recipe.parse(JSON.parse(store.recipe(row.id) ?? ''))
      expect([recipe.w, recipe.h]).toEqual([row.width, row.height])
      const boxes = row.labels.map((l) => boxOf(l) ?? [])
      expect(boxes).toEqual(recipe.shapes.map((s) => s.b))
      for (const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] of boxes)
        expect(
          0 <= x1 && x1 < x2 && x2 <= row.width && 0 <= y1 && y1 < y2 && y2 <= row.height
        ).toBe(true)
    }
  })
})

describe('the near-duplicates planted in the demo detection job', () => {
  it('are copies of other images of the job, resized, recompressed or cropped up to 3%, boxes moved with them', () => {
    const job = demo.datasets[1]?.id ?? ''
    const groups = demo.defects?.nearDuplicates ?? []
    // 5% of the job, one or two copies each, none an image planted with another defect.
    expect(groups).toHaveLength(DEFAULT_SIZES.detection * 0.05)
    const copies = groups.flatMap((g) => g.copies)
    expect(copies).toHaveLength(30)
    const others = new Set((demo.defects?.list ?? []).map((d) => d.name))
    const members = groups.flatMap((g) => [g.original, ...g.copies])
    expect(new Set(members.map((m) => m.id)).size).toBe(members.length)
    expect(members.filter((m) => others.has(m.name))).toEqual([])
    const changes = new Set<string>()
    for (const group of groups) {
      const [original] = store.samples(job, [group.original.id])
      const drawn = Recipe.parse(JSON.parse(store.recipe(group.original.id) ?? ''))
      expect(drawn.copy).toBeUndefined()
      for (const ref of group.copies) {
        const [row] = store.samples(job, [ref.id])
        expect(row?.name).toBe(ref.name)
        const recipe = Recipe.parse(JSON.parse(store.recipe(ref.id) ?? ''))
        const { copy, ...rest } = recipe
        // The original's drawing, changed.
        expect(rest).toEqual(drawn)
        if (!copy || !row || !original) throw new Error(`${ref.name} is not a copy`)
        expect([copy.width, copy.height]).toEqual([row.width, row.height])
        const [left, top, w, h] = copy.crop
        for (const cut of [
          left / drawn.w,
          top / drawn.h,
          1 - (left + w) / drawn.w,
          1 - (top + h) / drawn.h
        ])
          expect(cut).toBeLessThanOrEqual(0.03)
        if (w !== drawn.w || h !== drawn.h) changes.add('cropped')
        if (copy.width !== w || copy.height !== h) changes.add('resized')
        if (copy.quality < 75) changes.add('recompressed')
        // The original's boxes, as many, inside the copy.
        expect(row.labels.map((l) => (Array.isArray(l) ? l[0] : l))).toEqual(
          original.labels.map((l) => (Array.isArray(l) ? l[0] : l))
        )
        for (const [x1 = 0, y1 = 0, x2 = 0, y2 = 0] of row.labels.map((l) => boxOf(l) ?? []))
          expect(
            0 <= x1 && x1 < x2 && x2 <= row.width && 0 <= y1 && y1 < y2 && y2 <= row.height
          ).toBe(true)
      }
    }
    expect(changes).toEqual(new Set(['cropped', 'resized', 'recompressed']))
  })

  it('are drawn as real copies: bytes of the original changed, at the size the copy says', async () => {
    const job = demo.datasets[1]?.id ?? ''
    const group = demo.defects?.nearDuplicates?.[2]
    const ref = group?.copies[0]
    const recipe = Recipe.parse(JSON.parse(store.recipe(ref?.id ?? '') ?? ''))
    const [row] = store.samples(job, [ref?.id ?? ''])
    const bytes = await renderRecipe(recipe, 'jpg')
    const meta = await sharp(bytes).metadata()
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', row?.width, row?.height])
  })
})
