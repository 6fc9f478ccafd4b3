import { createHash } from 'node:crypto'
import { renameSync, writeFileSync } from 'node:fs'
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'

/**
 * The on-disk image cache: bytes stored once per SHA-256 (`blobs/ab/abcd...`), named by key
 * (`connection/job/sample/variant`) in an index persisted as JSON. Total size is capped; the
 * least recently used keys go first, and a blob goes when no key names it any more.
 */
const IndexFile = z.object({
  version: z.literal(1),
  entries: z.array(
    z.object({
      key: z.string(),
      hash: z.string().regex(/^[0-9a-f]{64}$/),
      size: z.number().int().nonnegative(),
      contentType: z.string(),
      lastUsed: z.number()
    })
  )
})
type Entry = z.infer<typeof IndexFile>['entries'][number]

export interface CachedImage {
  bytes: Buffer
  contentType: string
}

export interface CacheOptions {
  capBytes: number
  now?: () => number
  /** How long index changes may wait before being written (they are also written on close). */
  flushDelayMs?: number
}

export const DEFAULT_CACHE_BYTES = 1024 * 1024 * 1024
const SYNC_WRITE_BYTES = 256 * 1024

export class ImageCache {
  /** Insertion order is recency order: a hit moves its key to the end. */
  private readonly entries = new Map<string, Entry>()
  private readonly blobs = new Map<string, { size: number; refs: number }>()
  /** Shard folders known to exist. */
  private readonly shards = new Set<string>()
  private bytes = 0
  private flushTimer: ReturnType<typeof setTimeout> | null = null
  private flushing: Promise<void> = Promise.resolve()
  private readonly now: () => number

  private constructor(
    private readonly dir: string,
    private readonly options: CacheOptions
  ) {
    this.now = options.now ?? Date.now
  }

  static async open(dir: string, options: CacheOptions): Promise<ImageCache> {
    const cache = new ImageCache(dir, options)
    await mkdir(path.join(dir, 'blobs'), { recursive: true })
    await cache.load()
    await cache.sweepOrphans()
    await cache.evict()
    return cache
  }

  info(): { bytes: number; entries: number; capBytes: number } {
    return { bytes: this.bytes, entries: this.entries.size, capBytes: this.options.capBytes }
  }

  has(key: string): boolean {
    return this.entries.has(key)
  }

  async get(key: string): Promise<CachedImage | null> {
    const entry = this.entries.get(key)
    if (!entry) return null
    let bytes: Buffer
    try {
      bytes = await readFile(this.blobPath(entry.hash))
    } catch {
      // Removed behind our back (user cleaned the folder): forget it, fetch again.
      this.drop(key)
      this.scheduleFlush()
      return null
    }
    this.entries.delete(key)
    this.entries.set(key, { ...entry, lastUsed: this.now() })
    this.scheduleFlush()
    return { bytes, contentType: entry.contentType }
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    if (bytes.length > this.options.capBytes) return
    const hash = createHash('sha256').update(bytes).digest('hex')
    if (this.entries.get(key)?.hash !== hash) {
      this.drop(key)
      const blob = this.blobs.get(hash)
      if (blob) blob.refs++
      else {
        // Registered before the write, so a concurrent sweep never deletes it as an orphan.
        this.blobs.set(hash, { size: bytes.length, refs: 1 })
        this.bytes += bytes.length
        try {
          await this.writeBlob(hash, bytes)
        } catch (error) {
          this.blobs.delete(hash)
          this.bytes -= bytes.length
          throw error
        }
      }
    }
    this.entries.delete(key)
    this.entries.set(key, { key, hash, size: bytes.length, contentType, lastUsed: this.now() })
    await this.evict()
    this.scheduleFlush()
  }

  /** Forgets every key under a prefix, e.g. a removed connection's images. */
  async removePrefix(prefix: string): Promise<void> {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) await this.remove(key)
    this.scheduleFlush()
  }

  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer)
    this.flushTimer = null
    const body = JSON.stringify({ version: 1, entries: [...this.entries.values()] })
    this.flushing = this.flushing.then(async () => {
      const file = path.join(this.dir, 'index.json')
      await writeFile(`${file}.tmp`, body)
      await rename(`${file}.tmp`, file)
    })
    return this.flushing
  }

  async close(): Promise<void> {
    await this.flush()
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return
    this.flushTimer = setTimeout(() => void this.flush(), this.options.flushDelayMs ?? 1000)
    this.flushTimer.unref?.()
  }

  private async evict(): Promise<void> {
    for (const key of this.entries.keys()) {
      if (this.bytes <= this.options.capBytes) return
      await this.remove(key)
    }
  }

  private async remove(key: string): Promise<void> {
    const gone = this.drop(key)
    if (gone) await rm(this.blobPath(gone), { force: true })
  }

  /** Drops a key from memory; returns the hash whose blob nobody names any more, if any. */
  private drop(key: string): string | null {
    const entry = this.entries.get(key)
    if (!entry) return null
    this.entries.delete(key)
    const blob = this.blobs.get(entry.hash)
    if (!blob) return null
    blob.refs--
    if (blob.refs > 0) return null
    this.blobs.delete(entry.hash)
    this.bytes -= blob.size
    return entry.hash
  }

  private blobPath(hash: string): string {
    return path.join(this.dir, 'blobs', hash.slice(0, 2), hash)
  }

  private async writeBlob(hash: string, bytes: Buffer): Promise<void> {
    const file = this.blobPath(hash)
    const dir = path.dirname(file)
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
    // A thumbnail is written synchronously: ~40 us of this thread, against ~150 us of CPU for
    // the same write handed to the thread pool. Bigger files go the asynchronous way.
    const small = bytes.length <= SYNC_WRITE_BYTES
    const write = () => (small ? writeFileSync(temp, bytes) : writeFile(temp, bytes))
    // Each shard folder is made once per run, not once per image.
    if (!this.shards.has(dir)) await mkdir(dir, { recursive: true })
    try {
      await write()
    } catch (error) {
      // Removed behind our back (someone cleaned the folder): make it again, once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      await mkdir(dir, { recursive: true })
      await write()
    }
    this.shards.add(dir)
    if (small) renameSync(temp, file)
    else await rename(temp, file)
  }

  private async load(): Promise<void> {
    let parsed: z.infer<typeof IndexFile> | null = null
    try {
      const result = IndexFile.safeParse(
        JSON.parse(await readFile(path.join(this.dir, 'index.json'), 'utf8'))
      )
      if (result.success) parsed = result.data
    } catch {
      // no index yet, or unreadable: start empty; the sweep removes what it no longer names
    }
    const sorted = [...(parsed?.entries ?? [])].sort((a, b) => a.lastUsed - b.lastUsed)
    for (const entry of sorted) {
      this.entries.set(entry.key, entry)
      const blob = this.blobs.get(entry.hash)
      if (blob) blob.refs++
      else {
        this.blobs.set(entry.hash, { size: entry.size, refs: 1 })
        this.bytes += entry.size
      }
    }
  }

  /** Blobs no key names (a crash between writing a blob and the index) would escape the cap. */
  private async sweepOrphans(): Promise<void> {
    const root = path.join(this.dir, 'blobs')
    for (const shard of await readdir(root).catch(() => [] as string[])) {
      for (const name of await readdir(path.join(root, shard)).catch(() => [] as string[])) {
        if (!this.blobs.has(name)) await rm(path.join(root, shard, name), { force: true })
      }
    }
  }
}
