import 'fake-indexeddb/auto'
import { existsSync } from 'node:fs'
import path from 'node:path'
import { build } from 'esbuild'
import sharp from 'sharp'
import { chromium, type Browser, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { imagePath } from '../src/shared/api'
import type { MainCore } from '../src/main/core'
import type { ThumbAnswer, ThumbHasher } from '../src/renderer/src/offline/signatures/hasher'
import {
  areaAverage,
  signatureDistance,
  signatureOf
} from '../src/renderer/src/offline/replica/near-duplicates'
import { startRealWorld, type RealWorld } from './real-world'

// The near-duplicates planted in the demo detection job (`demo-defects.json`), found the way the
// app finds them: "Make available offline" caches the thumbnails through the real main process,
// each chunk's signatures are worked out by the renderer's own code (`signatures/pixels.ts`,
// createImageBitmap) in Chromium from the bytes main's cache answers, stored by the real queue,
// and grouped by the offline layer. Recall and precision are over pairs of planted images.

const CHROMIUM = [process.env['TAGDECK_CHROMIUM'], '/usr/bin/chromium', '/usr/bin/chromium-browser']
  .filter((p): p is string => Boolean(p))
  .find((p) => existsSync(p))

let browser: Browser
let page: Page
let w: RealWorld
let thumbs: Map<string, Buffer>

/** The renderer's `thumbSignature`, bundled and loaded into a blank Chromium page. */
async function rendererPage(): Promise<Page> {
  const bundle = await build({
    stdin: {
      contents: `export { thumbSignature } from './src/renderer/src/offline/signatures/pixels'`,
      resolveDir: path.join(__dirname, '..')
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

/** Signatures of JPEG bytes in Chromium (null: flat), as the signature worker makes them. */
async function inChromium(images: Buffer[]): Promise<(number[] | null)[]> {
  return page.evaluate(
    async (encoded) => {
      const global = window as unknown as {
        tagdeckSignatures: { thumbSignature(blob: Blob): Promise<Float32Array | null> }
      }
      return Promise.all(
        encoded.map(async (b64) => {
          const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))
          const sig = await global.tagdeckSignatures.thumbSignature(
            new Blob([bytes], { type: 'image/jpeg' })
          )
          return sig ? Array.from(sig) : null
        })
      )
    },
    images.map((b) => b.toString('base64'))
  )
}

/** The app's hasher with Chromium for the worker: thumbnails as main's cache answers them. */
function chromiumHasher(core: MainCore): ThumbHasher {
  return async (job, sampleIds) => {
    const bytes: (Buffer | string)[] = []
    for (const id of sampleIds) {
      const reply = await core.serveImage(imagePath(job.connectionId, job.jobId, id, 'thumb'))
      bytes.push(reply.status === 200 ? (reply.body as Buffer) : `HTTP ${reply.status}`)
    }
    const ok = bytes.filter((b): b is Buffer => typeof b !== 'string')
    const signatures = await inChromium(ok)
    let next = 0
    return sampleIds.map((sampleId, i): ThumbAnswer => {
      const b = bytes[i]
      if (typeof b === 'string') return { sampleId, error: b }
      thumbs.set(sampleId, b)
      const sig = signatures[next++]
      return { sampleId, signature: sig ? Float32Array.from(sig) : null }
    })
  }
}

beforeAll(async () => {
  thumbs = new Map()
  browser = await chromium.launch({ ...(CHROMIUM ? { executablePath: CHROMIUM } : {}) })
  page = await rendererPage()
  w = await startRealWorld({ thumbSignatures: chromiumHasher })
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
    await w.offline.signatures?.idle()
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

  it('has signatures from Chromium that agree with the same shrink in Node (sharp decoding) on the same thumbnails', async () => {
    const some = [...thumbs].slice(0, 40)
    expect(some.length).toBe(40)
    const ours = await inChromium(some.map(([, b]) => b))
    const distances: number[] = []
    for (const [i, [, bytes]] of some.entries()) {
      const { data, info } = await sharp(bytes)
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true })
      const theirs = signatureOf(areaAverage(data, info.width, info.height, 3))
      const mine = ours[i]
      if (!theirs || !mine) throw new Error('a demo thumbnail came out flat')
      distances.push(signatureDistance(Float32Array.from(mine), theirs))
    }
    const worst = Math.max(...distances)
    console.log(`Chromium against Node, 40 thumbnails: worst ${worst.toFixed(4)}`)
    // The app decodes to 32x32 before averaging (cheaper), Node averages the full image: well
    // under the near-duplicate threshold (0.25) apart, so Node's measurements hold for the app.
    expect(worst).toBeLessThan(0.1)
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
