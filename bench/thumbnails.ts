import Database from 'better-sqlite3'
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'

/**
 * Thumbnails written in place for a big demo job, with the service stopped: the service draws a
 * demo image and its thumbnail on first request, about 50 a second, so 100,000 would take over
 * half an hour. Each sample's file is one of 1,000 drawn ones with the sample's id appended
 * after the JPEG's end: every thumbnail is a distinct file (main's cache stores bytes once per
 * SHA-256, so copies would make its disk figure a tenth of the truth) of a real one's size.
 */

const BASE_THUMBS = 1_000
/** The thumbnail variant the app asks for (see src/service/image-urls.ts `variantKey`). */
const THUMB_VARIANT = 'h200'

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MiB`

/** Thumbnail-like JPEGs: a few shapes on a noisy ground, 200 px high, quality 80. */
async function drawBases(count: number): Promise<Buffer[]> {
  const bases: Buffer[] = []
  for (let i = 0; i < count; i++) {
    const hue = (i * 47) % 360
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="267" height="200">
      <rect width="267" height="200" fill="hsl(${hue},30%,85%)"/>
      <rect x="${20 + (i % 90)}" y="${30 + (i % 60)}" width="${60 + (i % 70)}" height="${50 + (i % 40)}" fill="hsl(${(hue + 120) % 360},70%,50%)"/>
      <circle cx="${180 - (i % 80)}" cy="${120 - (i % 50)}" r="${20 + (i % 30)}" fill="hsl(${(hue + 240) % 360},70%,45%)"/>
    </svg>`
    bases.push(
      await sharp(Buffer.from(svg))
        .composite([
          {
            input: await sharp({
              create: {
                width: 267,
                height: 200,
                channels: 3,
                background: '#000',
                noise: { type: 'gaussian', mean: 0, sigma: 12 }
              }
            })
              .png()
              .toBuffer(),
            blend: 'overlay'
          }
        ])
        .jpeg({ quality: 80 })
        .toBuffer()
    )
  }
  return bases
}

/** Ids of the service's samples that `sql` (one `?`: `param`) selects, read from its database. */
function sampleIds(dataDir: string, sql: string, param: string): string[] {
  const db = new Database(path.join(dataDir, 'tagdeck.db'), { readonly: true })
  try {
    return (db.prepare(sql).all(param) as { id: string }[]).map((r) => r.id)
  } finally {
    db.close()
  }
}

/** Every sample of a dataset. */
export const datasetSampleIds = (dataDir: string, datasetId: string) =>
  sampleIds(dataDir, 'SELECT id FROM samples WHERE dataset_id = ?', datasetId)

/** Every sample of a labeling task (its own id, without the dataset's). */
export const taskSampleIds = (dataDir: string, taskId: string) =>
  sampleIds(dataDir, 'SELECT sample_id AS id FROM task_samples WHERE task_id = ?', taskId)

/** Writes the thumbnails of those samples of `datasetId` where the service looks for them. */
export async function writeThumbnails(
  dataDir: string,
  datasetId: string,
  ids: readonly string[]
): Promise<number> {
  const bases = await drawBases(BASE_THUMBS)
  const made = new Set<string>()
  let bytes = 0
  for (const [i, id] of ids.entries()) {
    const dir = path.join(dataDir, 'thumbs', datasetId, id.slice(0, 2))
    if (!made.has(dir)) await mkdir(dir, { recursive: true })
    made.add(dir)
    const file = Buffer.concat([bases[i % BASE_THUMBS], Buffer.from(id)])
    bytes += file.length
    await writeFile(path.join(dir, `${id}.${THUMB_VARIANT}.jpg`), file)
  }
  console.log(
    `${ids.length.toLocaleString('en')} thumbnails written for the service (${mib(bytes)}, from ${BASE_THUMBS} drawn)`
  )
  return ids.length
}
