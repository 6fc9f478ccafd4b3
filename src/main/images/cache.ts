import { hash as digest } from 'node:crypto'
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { IndexStore, type IndexChange, type IndexEntry } from './cache-index'
import { Packs, type PackLocation } from './packs'

/**
 * The on-disk image cache: bytes stored once per SHA-256, named by key
 * (`connection/job/sample/variant`) in an index persisted as JSON (`cache-index.ts`: a snapshot
 * and a journal of the changes since). Thumbnails and other small
 * blobs are appended to pack files (`packs/`, see `packs.ts`); bigger ones (full images) are
 * files of their own (`blobs/ab/abcd...`). Total size is capped; the least recently used keys
 * go first, and a blob goes when no key names it any more.
 */
type Entry = Omit<IndexEntry, 'pack' | 'offset'>

/** Stored bytes: where (a pack, or null for a file of its own) and how many keys name them. */
interface Blob {
  size: number
  refs: number
  at: PackLocation | null
}

export interface CachedImage {
  bytes: Buffer
  contentType: string
}

export interface CacheOptions {
  capBytes: number
  now?: () => number
  /** How long index changes may wait before being written (they are also written on close). */
  flushDelayMs?: number
  /** Size at which a pack file is full (tests make it small). */
  packBytes?: number
}

/** One-shot: a Hash object per thumbnail cost twice the hashing itself. */
const sha256 = (bytes: Buffer) => digest('sha256', bytes, 'hex')

export const DEFAULT_CACHE_BYTES = 1024 * 1024 * 1024
/** Blobs up to this size go into packs; bigger ones get a file (written asynchronously). */
const PACKED_BYTES = 256 * 1024
const PACK_BYTES = 32 * 1024 * 1024

/** Index changes wait this long to be written together; a crash loses at most that much. */
const FLUSH_DELAY_MS = 1000

export class ImageCache {
  /** Insertion order is recency order: a hit moves its key to the end. */
  private readonly entries = new Map<string, Entry>()
  private readonly blobs = new Map<string, Blob>()
  /** Shard folders known to exist. */
  private readonly shards = new Set<string>()
  private bytes = 0
  private flushTimer: ReturnType<typeof setTimeout> | null = null
  private flushing: Promise<void> = Promise.resolve()
  /** Keys changed (or gone) since the index was last written. */
  private readonly changed = new Set<string>()
  /**
   * The next write is a snapshot of every key: blobs moved (compaction), or a write failed and
   * the journal lacks what it held.
   */
  private rewriteAll = false
  private readonly now: () => number

  private constructor(
    private readonly dir: string,
    private readonly options: CacheOptions,
    private readonly packs: Packs,
    private readonly index: IndexStore
  ) {
    this.now = options.now ?? Date.now
  }

  static async open(dir: string, options: CacheOptions): Promise<ImageCache> {
    const packs = await Packs.open(path.join(dir, 'packs'), options.packBytes ?? PACK_BYTES)
    await mkdir(path.join(dir, 'blobs'), { recursive: true })
    const { store, entries } = await IndexStore.open(dir)
    const cache = new ImageCache(dir, options, packs, store)
    cache.load(entries)
    packs.dropUnclaimed()
    cache.compactWasteful()
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
    const bytes = await this.readBlob(entry.hash)
    if (!bytes) {
      // Removed or damaged behind our back (a cleaned folder, a crash): forget it, fetch again.
      if (this.entries.get(key)?.hash === entry.hash) await this.remove(key)
      this.scheduleFlush()
      return null
    }
    this.entries.delete(key)
    this.entries.set(key, { ...entry, lastUsed: this.now() })
    this.changed.add(key)
    this.scheduleFlush()
    return { bytes, contentType: entry.contentType }
  }

  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    if (bytes.length > this.options.capBytes) return
    const hash = sha256(bytes)
    if (this.entries.get(key)?.hash !== hash) {
      this.drop(key)
      const blob = this.blobs.get(hash)
      if (blob) blob.refs++
      else if (bytes.length <= PACKED_BYTES) {
        this.blobs.set(hash, { size: bytes.length, refs: 1, at: this.packs.append(bytes) })
        this.bytes += bytes.length
      } else {
        // Registered before the write, so a concurrent sweep never deletes it as an orphan.
        this.blobs.set(hash, { size: bytes.length, refs: 1, at: null })
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
    this.changed.add(key)
    if (this.bytes > this.options.capBytes) await this.evict()
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
    try {
      // The bytes first: the index must not name blobs still in memory.
      this.packs.flushWrites()
    } catch {
      // Disk full: the pack now ends before those blobs, and they are fetched again.
    }
    // What to write is taken now; it is written when the writes before it are done.
    let write: () => Promise<void>
    if (this.rewriteAll || this.index.wantsSnapshot(this.changed.size, this.entries.size)) {
      const entries = [...this.entries.keys()].map((key) => this.stored(key) as IndexEntry)
      write = () => this.index.snapshot(entries)
    } else {
      const changes = [...this.changed].map((key) => this.stored(key))
      write = () => this.index.append(changes)
    }
    this.changed.clear()
    this.rewriteAll = false
    // After a failed write (the folder removed behind our back) the next one still runs, and
    // writes every key.
    this.flushing = this.flushing
      .catch(() => undefined)
      .then(write)
      .catch((error: unknown) => {
        this.rewriteAll = true
        throw error
      })
    return this.flushing
  }

  /** A key as the index stores it: its entry and where its bytes are, or gone. */
  private stored(key: string): IndexChange {
    const entry = this.entries.get(key)
    if (!entry) return { key, gone: true }
    const at = this.blobs.get(entry.hash)?.at
    return at ? { ...entry, pack: at.pack, offset: at.offset } : entry
  }

  async close(): Promise<void> {
    await this.flush()
    this.packs.close()
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return
    // In the background a failed write is only late: the index is written again on close.
    this.flushTimer = setTimeout(
      () => void this.flush().catch(() => undefined),
      this.options.flushDelayMs ?? FLUSH_DELAY_MS
    )
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
    if (!gone) return
    if (!gone.blob.at) return void (await rm(this.blobPath(gone.hash), { force: true }))
    if (this.packs.release(gone.blob.at, gone.blob.size)) this.compact(gone.blob.at.pack)
  }

  /** Drops a key from memory; returns the blob nobody names any more, if any. */
  private drop(key: string): { hash: string; blob: Blob } | null {
    const entry = this.entries.get(key)
    if (!entry) return null
    this.entries.delete(key)
    this.changed.add(key)
    const blob = this.blobs.get(entry.hash)
    if (!blob) return null
    blob.refs--
    if (blob.refs > 0) return null
    this.blobs.delete(entry.hash)
    this.bytes -= blob.size
    return { hash: entry.hash, blob }
  }

  /**
   * A blob's bytes, checked against their hash (a pack's tail may not have reached the disk
   * before a crash); null when they are gone or damaged. A pack read that fails because the
   * blob moved meanwhile (compaction) reads again from where it went.
   */
  private async readBlob(hash: string): Promise<Buffer | null> {
    for (let tries = 0; tries < 3; tries++) {
      const blob = this.blobs.get(hash)
      if (!blob) return null
      const at = blob.at
      try {
        if (!at) return await readFile(this.blobPath(hash))
        const bytes = await this.packs.read(at, blob.size)
        if (sha256(bytes) === hash) return bytes
      } catch {
        // gone, unless it moved: see below
      }
      const now = this.blobs.get(hash)?.at
      if (!at || !now || (now.pack === at.pack && now.offset === at.offset)) return null
    }
    return null
  }

  /** Moves a pack's live blobs to the active pack and deletes it. */
  private compact(pack: number): void {
    const lost = new Set<string>()
    for (const [hash, blob] of this.blobs) {
      if (blob.at?.pack !== pack) continue
      try {
        blob.at = this.packs.append(this.packs.readSync(blob.at, blob.size))
      } catch {
        // Unreadable, or no room to move it: a cache may forget; the image is fetched again.
        lost.add(hash)
      }
    }
    if (lost.size > 0)
      for (const [key, entry] of [...this.entries]) if (lost.has(entry.hash)) this.drop(key)
    this.packs.remove(pack)
    this.rewriteAll = true
    this.scheduleFlush()
  }

  /** Packs left at least half dead (keys evicted while the app was closed, a crash). */
  private compactWasteful(): void {
    const packs = new Set<number>()
    for (const blob of this.blobs.values()) if (blob.at) packs.add(blob.at.pack)
    for (const pack of packs) if (this.packs.wasteful(pack)) this.compact(pack)
  }

  private blobPath(hash: string): string {
    return path.join(this.dir, 'blobs', hash.slice(0, 2), hash)
  }

  private async writeBlob(hash: string, bytes: Buffer): Promise<void> {
    const file = this.blobPath(hash)
    const dir = path.dirname(file)
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
    const write = () => writeFile(temp, bytes)
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
    await rename(temp, file)
  }

  /** The index as read from disk, less what its packs no longer hold. */
  private load(stored: IndexEntry[]): void {
    const sorted = [...stored].sort((a, b) => a.lastUsed - b.lastUsed)
    for (const { pack, offset, ...entry } of sorted) {
      let blob = this.blobs.get(entry.hash)
      if (!blob) {
        const at = pack !== undefined ? { pack, offset: offset ?? 0 } : null
        // A pack that is gone or shorter than the index says: the key is fetched again.
        if (at && !this.packs.claim(at, entry.size)) {
          this.changed.add(entry.key)
          continue
        }
        blob = { size: entry.size, refs: 0, at }
        this.blobs.set(entry.hash, blob)
        this.bytes += entry.size
      }
      blob.refs++
      this.entries.set(entry.key, entry)
    }
  }

  /** Blob files no key names (a crash between writing one and the index) would escape the cap. */
  private async sweepOrphans(): Promise<void> {
    const root = path.join(this.dir, 'blobs')
    for (const shard of await readdir(root).catch(() => [] as string[])) {
      for (const name of await readdir(path.join(root, shard)).catch(() => [] as string[])) {
        if (this.blobs.get(name)?.at !== null)
          await rm(path.join(root, shard, name), { force: true })
      }
    }
  }
}
