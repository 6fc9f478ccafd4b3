import { createHash, randomBytes } from 'node:crypto'
import { readFile, readdir, rm, stat } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { isMissing } from '../main/log/fs-errors'
import { isId } from './ids'
import { variantKey, type Variant } from './image-urls'
import { writePrivateFile } from './private-files'
import { Recipe, renderRecipe } from './render'
import type { SampleRow } from './rows'
import type { Store } from './store'

/**
 * Image files under the data folder:
 *   images/{dataset}/{id[0..2]}/{id}.{jpg|png|webp}   originals (demo ones drawn on first request)
 *   thumbs/{dataset}/{id[0..2]}/{id}.{variant}.jpg    resized variants, made on first request
 * Names come only from ids read back from the database, checked again here.
 * A demo image is drawn from its recipe (`render.ts`); with a render cache (`renderCache`, a
 * folder shared by several data folders: the e2e run's services), what one service drew for a
 * recipe, format and variant is copied by the next instead of drawn again.
 */
export const CONTENT_TYPES = { jpg: 'image/jpeg', png: 'image/png', webp: 'image/webp' } as const

export class ImageMissing extends Error {}

export class ImageFiles {
  private readonly pending = new Map<string, Promise<string>>()
  /** Every render and removal under way, so a close can wait for the disk to be quiet. */
  private readonly busy = new Set<Promise<unknown>>()

  constructor(
    private readonly root: string,
    private readonly store: Store,
    private readonly renderCache: string | null = null
  ) {}

  /**
   * `make()`'s bytes, or what it made before for `key` (a recipe, its format and variant) if a
   * render cache is set; null `key` (not drawn from a recipe): made every time.
   */
  private async rendered(key: string | null, make: () => Promise<Buffer>): Promise<Buffer> {
    if (this.renderCache === null || key === null) return make()
    const name = createHash('sha256').update(key).digest('hex')
    const file = path.join(this.renderCache, name.slice(0, 2), name)
    try {
      return await readFile(file)
    } catch (error) {
      if (!isMissing(error)) throw error
    }
    const bytes = await make()
    await writeAtomically(file, bytes)
    return bytes
  }

  private file(kind: 'images' | 'thumbs', row: SampleRow, name: string): string {
    if (!isId(row.datasetId) || !isId(row.id))
      throw new Error(`Unsafe id ${row.datasetId}/${row.id}`)
    const file = path.join(this.root, kind, row.datasetId, row.id.slice(0, 2), name)
    const relative = path.relative(this.root, file)
    if (relative.startsWith('..') || path.isAbsolute(relative))
      throw new Error(`Image path escapes the data folder: ${file}`)
    return file
  }

  originalFile(row: SampleRow): string {
    return this.file('images', row, `${row.id}.${row.format}`)
  }

  variantFile(row: SampleRow, variant: Variant): string {
    return this.file('thumbs', row, `${row.id}.${variantKey(variant)}.jpg`)
  }

  /** The folder holding a sample's variants (shared with other samples of its shard). */
  private variantDir(row: SampleRow): string {
    return path.dirname(this.file('thumbs', row, `${row.id}.jpg`))
  }

  /** The file for a sample's variant (null = original), made first if need be. */
  async get(row: SampleRow, variant: Variant | null): Promise<string> {
    const file = variant ? this.variantFile(row, variant) : this.originalFile(row)
    let job = this.pending.get(file)
    if (!job) {
      // Concurrent first requests for one image share a single render.
      job = this.track(
        variant ? this.makeVariant(row, variant, file) : this.makeOriginal(row, file)
      ).finally(() => this.pending.delete(file))
      this.pending.set(file, job)
    }
    return job
  }

  /**
   * Resolves once no render or removal is under way. A request whose client went away keeps
   * its work going after the server stopped listening; the database must outlive it.
   */
  async settle(): Promise<void> {
    while (this.busy.size > 0) await Promise.allSettled([...this.busy])
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.busy.add(work)
    void work.then(
      () => this.busy.delete(work),
      () => this.busy.delete(work)
    )
    return work
  }

  private async makeOriginal(row: SampleRow, file: string): Promise<string> {
    const size = await fileSize(file)
    if (size !== null) {
      // A stop between writing the file and recording its size: record it now.
      if (row.size === null) this.store.setSize(row.id, size)
      return file
    }
    const text = this.store.recipe(row.id)
    if (text === null) throw new ImageMissing(`The image file of sample ${row.id} is missing`)
    const bytes = await this.rendered(`${text}\u0000${row.format}`, () =>
      renderRecipe(Recipe.parse(JSON.parse(text)), row.format)
    )
    await writeAtomically(file, bytes)
    this.store.setSize(row.id, bytes.length)
    return file
  }

  private async makeVariant(row: SampleRow, variant: Variant, file: string): Promise<string> {
    if (await exists(file)) return file
    const text = this.store.recipe(row.id)
    const key = text === null ? null : `${text}\u0000${row.format}\u0000${variantKey(variant)}`
    const bytes = await this.rendered(key, async () =>
      sharp(await this.get(row, null))
        .resize({
          width: variant.width ?? undefined,
          height: variant.height ?? undefined,
          fit: 'inside',
          // Like OBS's default (limit_1): never enlarge past the original.
          withoutEnlargement: true
        })
        .jpeg({ quality: 80 })
        .toBuffer()
    )
    await writeAtomically(file, bytes)
    // Deleted while this was being made: its delete already swept the folder, so sweep after
    // it. (A delete that commits after this check finds the file on its own sweep.)
    if (!this.store.sample(row.datasetId, row.id)) {
      await rm(file, { force: true })
      throw new ImageMissing(`Sample ${row.id} was deleted`)
    }
    return file
  }

  /**
   * Thumbnails always go with the sample; originals only with `delete_source`. One listing per
   * shard folder, all in parallel: a sequential walk cost ~10 ms per 100 samples.
   */
  remove(rows: SampleRow[], source: boolean): Promise<void> {
    return this.track(this.removeFiles(rows, source))
  }

  private async removeFiles(rows: SampleRow[], source: boolean): Promise<void> {
    const byDir = new Map<string, Set<string>>()
    for (const row of rows) {
      const dir = this.variantDir(row)
      const ids = byDir.get(dir) ?? new Set<string>()
      ids.add(row.id)
      byDir.set(dir, ids)
    }
    const thumbs = [...byDir].map(async ([dir, ids]) => {
      const names = await readdirSafe(dir)
      const doomed = names.filter((name) => ids.has(name.slice(0, name.indexOf('.'))))
      await Promise.all(doomed.map((name) => rm(path.join(dir, name), { force: true })))
    })
    const originals = source ? rows.map((row) => rm(this.originalFile(row), { force: true })) : []
    await Promise.all([...thumbs, ...originals])
  }
}

async function fileSize(file: string): Promise<number | null> {
  try {
    const info = await stat(file)
    return info.isFile() ? info.size : null
  } catch (error) {
    // Absent: made below. Anything else (a disk that refuses) answers 5xx, which is reported.
    if (isMissing(error)) return null
    throw error
  }
}

async function exists(file: string): Promise<boolean> {
  return (await fileSize(file)) !== null
}

async function readdirSafe(dir: string): Promise<string[]> {
  try {
    return await readdir(dir)
  } catch (error) {
    // No folder: nothing to remove. Anything else reaches removeFiles, which reports it.
    if (isMissing(error)) return []
    throw error
  }
}

/** Private (0600, in 0700 folders), and written whole before it takes its name. */
function writeAtomically(file: string, bytes: Buffer): Promise<void> {
  return writePrivateFile(file, bytes, `${file}.${randomBytes(6).toString('hex')}.tmp`)
}
