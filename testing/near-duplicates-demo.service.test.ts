import 'fake-indexeddb/auto'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { build } from 'esbuild'
import sharp from 'sharp'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { imagePath } from '../src/shared/api'
import {
  areaAverage,
  signatureDistance,
  signatureOf
} from '../src/renderer/src/offline/replica/near-duplicates'
import { jobSignatures } from '../src/renderer/src/offline/signatures/queue'
import { REGROUP_AFTER_MS } from '../src/renderer/src/offline/replica/near-duplicate-groups'
import { startRealWorld, type RealWorld } from './real-world'
import { until } from './offline'

// The near-duplicates planted in the demo detection job (`demo-defects.json`), found the way the
// app finds them: "Make available offline" caches the thumbnails through the real main process,
// which answers each chunk with its thumbnails' signatures (`src/main/images/thumb-signatures.ts`,
// from the bytes it cached), stored with the chunk, grouped by the offline layer. Recall and
// precision are over pairs of planted images.

const CHROMIUM = [process.env['TAGDECK_CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser']
  .filter((p): p is string => Boolean(p))
  .find((p) => existsSync(p))

let browser: Browser
let page: Page
let w: RealWorld

/**
 * How the page worked signatures out before main did (and how those already stored were
 * made): `createImageBitmap` to 32x32 ('high'), read back through a canvas, cells averaged.
 */
async function rendererPage(): Promise<Page> {
  const bundle = await build({
    stdin: {
      contents: `
        import { areaAverage, signatureOf } from './src/shared/thumb-signature'
        export async function pageSignature(blob) {
          const bitmap = await createImageBitmap(blob, { resizeWidth: 32, resizeHeight: 32, resizeQuality: 'high' })
          const context = new OffscreenCanvas(32, 32).getContext('2d', { willReadFrequently: true })
          context.drawImage(bitmap, 0, 0)
          bitmap.close()
          return signatureOf(areaAverage(context.getImageData(0, 0, 32, 32).data, 32, 32))
        }`,
      resolveDir: path.join(__dirname, '..'),
      loader: 'ts'
    },
    bundle: true,
    format: 'iife',
    globalName: 'tagdeckSignatures',
    write: false,
    platform: 'browser',
    target: 'chrome120'
  })
  const opened = await browser.newPage()
  await opened.setContent('<!doctype html><meta charset="utf-8">')
  await opened.addScriptTag({ content: bundle.outputFiles[0]?.text ?? '' })
  return opened
}

/** Signatures of JPEG bytes in Chromium (null: flat), as the page's worker made them. */
async function inChromium(images: Buffer[]): Promise<(number[] | null)[]> {
  return page.evaluate(
    async (encoded) => {
      const global = window as unknown as {
        tagdeckSignatures: { pageSignature(blob: Blob): Promise<Float32Array | null> }
      }
      return Promise.all(
        encoded.map(async (b64) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
          const sig = await global.tagdeckSignatures.pageSignature(
            new Blob([bytes], { type: 'image/jpeg' })
          )
          return sig ? Array.from(sig) : null
        })
      )
    },
    images.map((b) => b.toString('base64'))
  )
}

beforeAll(async () => {
  browser = await chromium.launch({ ...(CHROMIUM ? { executablePath: CHROMIUM } : {}) })
  page = await rendererPage()
  w = await startRealWorld({ signatures: true })
}, 120_000)
afterAll(async () => {
  await w?.close()
  await browser?.close()
})

describe('near-duplicates of the demo detection job, on its real thumbnails', () => {
  it('finds the planted copies: recall at least 95% at precision at least 99% (pairs)', async () => {
    const planted = w.service.service.demoDefects
    const groups = planted?.nearDuplicates ?? []
    expect(groups.length).toBeGreaterThanOrEqual(20)
    const job = { connectionId: w.connection.id, jobId: planted?.datasetId ?? '' }
    await w.offline.downloads.start(job)
    // Stored with the chunks: every one is in once the download is.
    const total = (await w.ctx.db.offlineJobs.get([job.connectionId, job.jobId]))?.imagesDone
    expect(await jobSignatures(w.ctx.db, job).count()).toBe(total)
    const found = await w.offline.nearDuplicates(job)
    expect(found).not.toBeNull()

    const pairsOf = (gs: string[][]) =>
      new Set(
        gs.flatMap((g) => g.flatMap((a, i) => g.slice(i + 1).map((b) => [a, b].sort().join())))
      )
    const truth = pairsOf(groups.map((g) => [g.original.id, ...g.copies.map((c) => c.id)]))
    const claimed = pairsOf(found?.groups ?? [])
    const hits = [...claimed].filter((p) => truth.has(p)).length
    const recall = hits / truth.size
    const precision = claimed.size === 0 ? 0 : hits / claimed.size
    console.log(
      `near-duplicates on the demo: ${truth.size} planted pairs, ${claimed.size} found, recall ${(recall * 100).toFixed(1)}%, precision ${(precision * 100).toFixed(1)}%`
    )
    expect(recall).toBeGreaterThanOrEqual(0.95)
    expect(precision).toBeGreaterThanOrEqual(0.99)
    // Every image of the job has its signature (none missing, none failed).
    expect(found?.missing).toBe(0)
  }, 240_000)

  it("has main's signatures within a few hundredths of the exact cell average, and of those the page made before", async () => {
    const planted = w.service.service.demoDefects
    const job = { connectionId: w.connection.id, jobId: planted?.datasetId ?? '' }
    const stored = (await jobSignatures(w.ctx.db, job).toArray()).slice(0, 200)
    expect(stored.length).toBe(200)
    const thumbs: Buffer[] = []
    for (const { sampleId } of stored) {
      const reply = await w.core.serveImage(
        imagePath(job.connectionId, job.jobId, sampleId, 'thumb')
      )
      expect(reply.status).toBe(200)
      thumbs.push(reply.body as Buffer)
    }
    const pages = await inChromium(thumbs)
    const exact: number[] = []
    const page: number[] = []
    for (const [i, row] of stored.entries()) {
      const { data, info } = await sharp(thumbs[i])
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true })
      const whole = signatureOf(areaAverage(data, info.width, info.height, 3))
      const before = pages[i]
      if (!whole || !before || !row.signature) throw new Error('a demo thumbnail came out flat')
      exact.push(signatureDistance(row.signature, whole))
      page.push(signatureDistance(row.signature, Float32Array.from(before)))
    }
    const worst = (d: number[]) => Math.max(...d)
    const median = (d: number[]) => [...d].sort((a, b) => a - b)[d.length >> 1] ?? NaN
    console.log(
      `main's signatures, 200 demo thumbnails: against the exact cell average median ${median(exact).toFixed(4)}, worst ${worst(exact).toFixed(4)}; against the page's (Chromium, 32x32) median ${median(page).toFixed(4)}, worst ${worst(page).toFixed(4)}`
    )
    // Well under the near-duplicate threshold (0.25): signatures stored by earlier versions
    // (the page's) still compare with main's.
    expect(worst(exact)).toBeLessThan(0.2)
    expect(worst(page)).toBeLessThan(0.2)
  })

  it("fills in signatures a job lacks (cached before they came with the download) from main's cache", async () => {
    const planted = w.service.service.demoDefects
    const job = { connectionId: w.connection.id, jobId: planted?.datasetId ?? '' }
    const before = await w.offline.signatures?.known(job)
    await jobSignatures(w.ctx.db, job).delete()
    // Asking for the groups queues what is missing; main reads those from its cache.
    expect((await w.offline.nearDuplicates(job))?.missing).toBe(before?.size)
    await until(
      async () => (await jobSignatures(w.ctx.db, job).count()) === before?.size,
      'the missing signatures'
    )
    const after = await w.offline.signatures?.known(job)
    expect(after?.size).toBe(before?.size)
    for (const [id, signature] of before ?? []) expect(after?.get(id)).toEqual(signature)
    // Signatures coming in regroup once the last grouping is REGROUP_AFTER_MS old.
    w.clock.advance(REGROUP_AFTER_MS)
    expect((await w.offline.nearDuplicates(job))?.missing).toBe(0)
  })

  it('is a filter of the job, group by group, and "keep one, delete the rest" keeps the originals by default, or the one chosen', async () => {
    const planted = w.service.service.demoDefects
    const groups = planted?.nearDuplicates ?? []
    const job = { connectionId: w.connection.id, jobId: planted?.datasetId ?? '' }
    const members = groups.map((g) => [g.original.id, ...g.copies.map((c) => c.id)])
    const counts = await w.offline.problemCounts(job)
    expect(counts?.nearDuplicate).toBe(members.flat().length)
    const page = await w.offline.readPage({
      ...job,
      filter: { kind: 'everything' },
      search: { problem: 'nearDuplicate' },
      page: 1,
      perPage: 200
    })
    // Group by group: each run of the page is one planted group (in the job's order).
    const sorted = (ids: string[]) => [...ids].sort().join()
    const found = await w.offline.nearDuplicates(job)
    expect(page.samples.map((s) => s.id)).toEqual(found?.groups.flat())
    expect(found?.groups.map(sorted)).toEqual(members.map(sorted))
    // By default each group keeps its largest image: the original, wherever a copy has fewer
    // pixels (resized, cropped); a recompressed copy has as many, and the one with more bytes,
    // else the first in the job's order, is kept.
    const pixels = new Map(
      page.samples.map((s) => [s.id, (s.size?.width ?? 0) * (s.size?.height ?? 0)])
    )
    groups.forEach((g, n) => {
      const kept = found?.kept[found.groups.findIndex((f) => f.includes(g.original.id))]
      expect(members[n]).toContain(kept)
      if (g.copies.every((c) => (pixels.get(c.id) ?? 0) < (pixels.get(g.original.id) ?? 0)))
        expect(kept).toBe(g.original.id)
    })
    // The reviewer keeps a copy of the first group instead.
    const chosen = groups[0]?.copies[0]?.id ?? ''
    const { kept, doomed: deleted } = await w.offline.nearDuplicateRest(job, [chosen])
    await w.offline.deleteSamples(job, deleted, 60_000)
    expect(kept).toContain(chosen)
    expect(kept).toHaveLength(groups.length)
    expect(deleted.sort()).toEqual(
      members
        .flat()
        .filter((id) => !kept.includes(id))
        .sort()
    )
    expect((await w.offline.pendingCounts()).queued).toBe(deleted.length)
    // The queued deletions hide the rest at once: no group is left.
    expect((await w.offline.problemCounts(job))?.nearDuplicate).toBe(0)
  })
})
