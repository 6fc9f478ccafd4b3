import { hash as digest } from 'node:crypto'
import path from 'node:path'
import { log } from '../log'
import { BlobFiles } from './blob-files'
import { IndexStore, type IndexChange, type IndexEntry } from './cache-index'
import { DiskWriteError, realDisk, type CacheDisk } from './disk'
import { Packs, type PackLocation } from './packs'

// Packs, not SQLite: 10,000 thumbnails stored durably in 0.24-0.64 s vs 0.63-1.68 s (image-store).
/**
 * The on-disk image cache: bytes stored once per SHA-256, named by key
 * (`connection/job/sample/variant`) in an index persisted as JSON (`cache-index.ts`: a snapshot
 * and a journal of the changes since). Thumbnails and other small blobs are appended to pack
 * files (`packs/`, see `packs.ts`); bigger ones (full images) are files of their own
 * (`blob-files.ts`). Total size is capped; the least recently used keys go first, and a blob
 * goes when no key names it any more.
 *
 * Durability: `put` returns with the bytes possibly still in memory; the index is written in
 * the background (`flushDelayMs`), or at once by `persist`, which a caller that promises
 * "stored" (an offline download's chunk) awaits: pack bytes written and fsynced, new file
 * names fsynced, then the index's changes appended and fsynced. A failed write (disk full)
 * makes the cache forget what it lost at once, so `has` and `missing` never name bytes the
 * disk does not hold.
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
  /** The file-system writes; the real disk unless a test fills one up. */
  disk?: CacheDisk
}

/** One-shot: a Hash object per thumbnail cost twice the hashing itself. */
const sha256 = (bytes: Buffer) => digest('sha256', bytes, 'hex')

export const DEFAULT_CACHE_BYTES = 1024 * 1024 * 1024
/** Blobs up to this size go into packs; bigger ones get a file (written asynchronously). */
const PACKED_BYTES = 256 * 1024
const PACK_BYTES = 32 * 1024 * 1024

/** Index changes wait this long to be written together, unless someone asks to `persist`. */
const FLUSH_DELAY_MS = 1000

export class ImageCache {
  /** Insertion order is recency order: a hit moves its key to the end. */
  private readonly entries = new Map<string, Entry>()
  private readonly blobs = new Map<string, Blob>()
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
  /** Packs compacted away: deleted once the index on disk says where their blobs went. */
  private packsToDelete: number[] = []
  /** The last write that failed, for saying why something is not stored, and how many have. */
  private lastFailure: DiskWriteError | null = null
  private failures = 0
  private readonly now: () => number

  private constructor(
    private readonly dir: string,
    private readonly options: CacheOptions,
    private readonly disk: CacheDisk,
    private readonly packs: Packs,
    private readonly files: BlobFiles,
    private readonly index: IndexStore
  ) {
    this.now = options.now ?? Date.now
  }

  static async open(dir: string, options: CacheOptions): Promise<ImageCache> {
    const disk = options.disk ?? realDisk
    const packs = await Packs.open(path.join(dir, 'packs'), options.packBytes ?? PACK_BYTES, disk)
    const files = new BlobFiles(path.join(dir, 'blobs'), disk)
    await files.open()
    const { store, entries } = await IndexStore.open(dir, disk)
    const cache = new ImageCache(dir, options, disk, packs, files, store)
    cache.load(entries)
    packs.dropUnclaimed()
    cache.compactWasteful()
    await files.sweep((hash) => cache.blobs.get(hash)?.at === null)
    await cache.evict()
    return cache
  }

  info(): { bytes: number; entries: number; capBytes: number } {
    return { bytes: this.bytes, entries: this.entries.size, capBytes: this.options.capBytes }
  }

  has(key: string): boolean {
    return this.entries.has(key)
  }

  /** Those of `keys` the cache does not hold: an index lookup each, no file is read. */
  missing(keys: readonly string[]): string[] {
    return keys.filter((key) => !this.entries.has(key))
  }

  /** The last write that failed (null when none has), and how many writes failed so far. */
  get failure(): { last: DiskWriteError | null; count: number } {
    return { last: this.lastFailure, count: this.failures }
  }

  /** Bytes still free on the disk holding the cache (null when the system cannot tell). */
  freeBytes(): Promise<number | null> {
    return this.disk.freeBytes(this.dir)
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

  /** Stores the bytes under `key`; a `DiskWriteError` when the disk would not take them. */
  async put(key: string, bytes: Buffer, contentType: string): Promise<void> {
    if (bytes.length > this.options.capBytes) return
    const hash = sha256(bytes)
    if (this.entries.get(key)?.hash !== hash) {
      this.drop(key)
      const blob = this.blobs.get(hash)
      if (blob) blob.refs++
      else if (bytes.length <= PACKED_BYTES) {
        let at: PackLocation
        try {
          at = this.packs.append(bytes)
        } catch (error) {
          throw this.failed(error)
        } finally {
          this.forgetLost()
        }
        this.blobs.set(hash, { size: bytes.length, refs: 1, at })
        this.bytes += bytes.length
      } else {
        // Registered before the write, so a concurrent sweep never deletes it as an orphan.
        this.blobs.set(hash, { size: bytes.length, refs: 1, at: null })
        this.bytes += bytes.length
        try {
          await this.files.write(hash, bytes)
        } catch (error) {
          this.blobs.delete(hash)
          this.bytes -= bytes.length
          throw this.failed(error)
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

  /**
   * Everything put so far on the device and in the index on disk: after this, a crash or a
   * power cut loses none of it. Answers those of `keys` the cache does not hold (lost to a
   * failed write, see `failure`); throws a `DiskWriteError` when the index could not be written.
   */
  async persist(keys: readonly string[] = []): Promise<string[]> {
    await this.flush()
    return this.missing(keys)
  }

  /** Writes out what changed (see `persist`); the writes run one after another. */
  async flush(): Promise<void> {
    if (this.flushTimer) clearTimeout(this.flushTimer)
    this.flushTimer = null
    // After a failed write (the folder removed behind our back) the next one still runs, and
    // writes every key. That failure went to whoever awaited it (a caller, or the timer's log).
    // eslint-disable-next-line no-restricted-syntax -- reported where it was awaited; here only waited for
    this.flushing = this.flushing.catch(() => undefined).then(() => this.writeOut())
    return this.flushing
  }

  async close(): Promise<void> {
    try {
      await this.flush()
    } finally {
      this.packs.close()
    }
  }

  private async writeOut(): Promise<void> {
    // The packs' bytes are written now (the fsync follows), and a failure forgotten at once, so
    // the index taken next names only written bytes.
    const packsSynced = this.packs.sync()
    this.forgetLost()
    const folders = this.files.takeChanged()
    const deletes = this.packsToDelete.splice(0)
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
    try {
      await packsSynced
      await this.files.syncFolders(folders)
      await write()
    } catch (error) {
      // What the index would have said may name bytes the device does not hold: the next
      // write is a snapshot of what the cache still holds.
      this.rewriteAll = true
      this.packsToDelete.push(...deletes)
      this.files.keepChanged(folders)
      this.forgetLost()
      throw this.failed(error)
    }
    for (const id of deletes) this.packs.deleteFile(id)
  }

  /** A key as the index stores it: its entry and where its bytes are, or gone. */
  private stored(key: string): IndexChange {
    const entry = this.entries.get(key)
    if (!entry) return { key, gone: true }
    const at = this.blobs.get(entry.hash)?.at
    return at ? { ...entry, pack: at.pack, offset: at.offset } : entry
  }

  private failed(error: unknown): DiskWriteError {
    const failure = error instanceof DiskWriteError ? error : new DiskWriteError(error, 'the index')
    if (failure !== this.lastFailure) this.failures++
    this.lastFailure = failure
    return failure
  }

  /** Forgets the blobs a failed pack write took (those past where the pack now ends). */
  private forgetLost(): void {
    for (let failures = this.packs.failures(); failures.length > 0;) {
      for (const failure of failures) {
        this.failed(failure)
        const lost = new Set<string>()
        for (const [hash, blob] of this.blobs) {
          const at = blob.at
          if (at?.pack === failure.pack && at.offset + blob.size > failure.endsAt) lost.add(hash)
        }
        this.dropHashes(lost)
      }
      failures = this.packs.failures()
    }
  }

  /** Every key naming one of `hashes`, dropped, and their pack bytes released. */
  private dropHashes(hashes: ReadonlySet<string>): void {
    if (hashes.size === 0) return
    for (const [key, entry] of [...this.entries]) {
      if (!hashes.has(entry.hash)) continue
      const gone = this.drop(key)
      if (gone?.blob.at) this.packs.release(gone.blob.at, gone.blob.size)
    }
  }

  private scheduleFlush(): void {
    if (this.flushTimer) return
    // In the background a failed write is only late: the next one writes every key, and a
    // caller that needs it stored (`persist`) hears of the failure.
    this.flushTimer = setTimeout(
      () =>
        void this.flush().catch((error: unknown) =>
          log.warn('the image cache index was not written (retried later)', error)
        ),
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
    if (!gone.blob.at) return void (await this.files.remove(gone.hash))
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
        if (!at) return await this.files.read(hash)
        const bytes = await this.packs.read(at, blob.size)
        if (sha256(bytes) === hash) return bytes
        // eslint-disable-next-line no-restricted-syntax -- a cache miss: the image is fetched again
      } catch {
        // Gone, unless it moved (see below), or its bytes could not be written (forgotten here).
        this.forgetLost()
      }
      const now = this.blobs.get(hash)?.at
      if (!at || !now || (now.pack === at.pack && now.offset === at.offset)) return null
    }
    return null
  }

  /** Moves a pack's live blobs to the active pack; its file goes once the index says so. */
  private compact(pack: number): void {
    const lost = new Set<string>()
    for (const [hash, blob] of this.blobs) {
      if (blob.at?.pack !== pack) continue
      try {
        blob.at = this.packs.append(this.packs.readSync(blob.at, blob.size))
        // eslint-disable-next-line no-restricted-syntax -- a cache may forget: the image is fetched again
      } catch {
        // Unreadable, or no room to move it: a cache may forget; the image is fetched again.
        lost.add(hash)
      }
    }
    this.dropHashes(lost)
    this.packs.forget(pack)
    this.packsToDelete.push(pack)
    this.forgetLost()
    this.rewriteAll = true
    this.scheduleFlush()
  }

  /** Packs left at least half dead (keys evicted while the app was closed, a crash). */
  private compactWasteful(): void {
    const packs = new Set<number>()
    for (const blob of this.blobs.values()) if (blob.at) packs.add(blob.at.pack)
    for (const pack of packs) if (this.packs.wasteful(pack)) this.compact(pack)
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
}
