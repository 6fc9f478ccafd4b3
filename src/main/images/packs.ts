import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  readSync,
  rmSync,
  writeSync,
  type PathLike
} from 'node:fs'
import { mkdir, open, readdir, stat } from 'node:fs/promises'
import path from 'node:path'

/**
 * Small blobs (thumbnails) appended to pack files, `packs/<n>.pack`, of up to `packBytes`
 * each: one open file takes thousands of thumbnails, where a file per thumbnail costs the
 * file system a create, a rename and a directory entry each (10,000 thumbnails as files took
 * an ext4 disk 2-6 s of kernel time on the bench machine; appended to a pack, ~0.1 s). The
 * cache keeps the accounting: it says which bytes are still named (`claim`, `release`); a
 * pack whose bytes are all released is deleted, and one at least half released is worth
 * compacting (`wasteful`: its live blobs appended anew, then `remove`). Appends gather in
 * memory and go to the disk in one write per `WRITE_BATCH` bytes (one `write` per thumbnail
 * was a tenth of main's CPU while a job downloaded); `flushWrites` writes them at once, and
 * the cache calls it before its index names them, so the index never names bytes not written.
 */

export interface PackLocation {
  pack: number
  offset: number
}

interface PackInfo {
  /** Bytes in the file (appended so far). */
  size: number
  /** Bytes some blob still names. */
  live: number
}

const PACK_NAME = /^(\d+)\.pack$/
const WRITE_BATCH = 256 * 1024

interface ActivePack {
  id: number
  fd: number
  /** Bytes of the file on disk; the pack's `size` also counts the appends still in memory. */
  written: number
}

export class Packs {
  private readonly packs = new Map<number, PackInfo>()
  /** The pack appends go to, and its open file. */
  private active: ActivePack | null = null
  /** Appends to the active pack not written yet, in order, from its `written` offset. */
  private waiting: Buffer[] = []
  private waitingBytes = 0
  private nextId = 1
  /** The newest pack found at start, which appends go on filling while it has room. */
  private resumable: number | null = null

  private constructor(
    private readonly dir: string,
    private readonly packBytes: number
  ) {}

  /** The packs on disk, each with nothing live until the cache claims its blobs. */
  static async open(dir: string, packBytes: number): Promise<Packs> {
    const packs = new Packs(dir, packBytes)
    await mkdir(dir, { recursive: true })
    for (const name of await readdir(dir)) {
      const id = Number(PACK_NAME.exec(name)?.[1] ?? NaN)
      if (!Number.isSafeInteger(id)) continue
      const { size } = await stat(path.join(dir, name))
      packs.packs.set(id, { size, live: 0 })
      packs.nextId = Math.max(packs.nextId, id + 1)
    }
    packs.resumable = packs.nextId - 1
    return packs
  }

  /** A blob the index names at `at`: false when its pack is missing or too short for it. */
  claim(at: PackLocation, size: number): boolean {
    const pack = this.packs.get(at.pack)
    if (!pack || at.offset + size > pack.size) return false
    pack.live += size
    return true
  }

  /** Appends `bytes` to the active pack (a new one when it is full); where they went. */
  append(bytes: Buffer): PackLocation {
    const active = this.activePack()
    const pack = this.packs.get(active.id) as PackInfo
    const offset = pack.size
    this.waiting.push(bytes)
    this.waitingBytes += bytes.length
    pack.size += bytes.length
    pack.live += bytes.length
    try {
      if (this.waitingBytes >= WRITE_BATCH || pack.size >= this.packBytes) this.flushWrites()
    } catch (error) {
      pack.live -= bytes.length
      throw error
    }
    if (pack.size >= this.packBytes) this.closeActive()
    return { pack: active.id, offset }
  }

  /**
   * Writes the appends waiting in memory. When that fails (disk full) the pack ends where the
   * disk has it and takes nothing more: blobs past its end read as missing and are fetched
   * again, and the next start drops the index's entries for them.
   */
  flushWrites(): void {
    const active = this.active
    if (!active || this.waitingBytes === 0) return
    const bytes =
      this.waiting.length === 1 ? this.waiting[0] : Buffer.concat(this.waiting, this.waitingBytes)
    this.waiting = []
    this.waitingBytes = 0
    try {
      let written = 0
      while (written < bytes.length)
        written += writeSync(active.fd, bytes, written, bytes.length - written)
      active.written += bytes.length
    } catch (error) {
      const pack = this.packs.get(active.id)
      if (pack) pack.size = fstatSafe(active.fd) ?? active.written
      this.closeActive()
      throw error
    }
  }

  /** The `size` bytes at `at`. */
  async read(at: PackLocation, size: number): Promise<Buffer> {
    this.ensureWritten(at, size)
    const file = await open(this.file(at.pack), 'r')
    try {
      const bytes = Buffer.alloc(size)
      const { bytesRead } = await file.read(bytes, 0, size, at.offset)
      if (bytesRead !== size) throw new Error(`pack ${at.pack} ends before ${at.offset + size}`)
      return bytes
    } finally {
      await file.close()
    }
  }

  /** The same, synchronously (compaction moves blobs while nothing else runs). */
  readSync(at: PackLocation, size: number): Buffer {
    this.ensureWritten(at, size)
    const fd = openSync(this.file(at.pack), 'r')
    try {
      const bytes = Buffer.alloc(size)
      if (readSync(fd, bytes, 0, size, at.offset) !== size)
        throw new Error(`pack ${at.pack} ends before ${at.offset + size}`)
      return bytes
    } finally {
      closeSync(fd)
    }
  }

  /** The blob at `at` is named no more. True when its pack is now worth compacting. */
  release(at: PackLocation, size: number): boolean {
    const pack = this.packs.get(at.pack)
    if (!pack) return false
    pack.live = Math.max(0, pack.live - size)
    if (pack.live === 0) {
      this.remove(at.pack)
      return false
    }
    return this.wasteful(at.pack)
  }

  /** At least half of a pack no longer appended to is dead: moving its live blobs frees the rest. */
  wasteful(id: number): boolean {
    const pack = this.packs.get(id)
    return pack !== undefined && this.active?.id !== id && pack.live * 2 <= pack.size
  }

  /** Packs with nothing live (after a crash, appends the index never named): deleted. */
  dropUnclaimed(): void {
    for (const [id, pack] of [...this.packs]) if (pack.live === 0) this.remove(id)
  }

  remove(id: number): void {
    // Forgotten first, so closing it (if it is the active pack) does not remove it again.
    this.packs.delete(id)
    if (this.active?.id === id) {
      // Its appends waiting in memory would only be written to be deleted.
      this.waiting = []
      this.waitingBytes = 0
      this.closeActive()
    }
    // Windows refuses while a read has it open: the next start finds it unclaimed.
    rmQuietly(this.file(id))
  }

  close(): void {
    this.closeActive()
  }

  /** Bytes still in memory are written before anything reads them from the file. */
  private ensureWritten(at: PackLocation, size: number): void {
    const active = this.active
    if (active?.id === at.pack && at.offset + size > active.written) this.flushWrites()
  }

  private activePack(): ActivePack {
    if (this.active) return this.active
    const resumed = this.resume()
    if (resumed) return resumed
    const id = this.nextId++
    let fd: number
    try {
      fd = openSync(this.file(id), 'a')
    } catch (error) {
      // The folder was removed behind our back (someone cleaned it): make it again, once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
      mkdirSync(this.dir, { recursive: true })
      fd = openSync(this.file(id), 'a')
    }
    this.packs.set(id, { size: 0, live: 0 })
    this.active = { id, fd, written: 0 }
    return this.active
  }

  /** The newest pack of the last run, if it is still there and not full: one file, not one per run. */
  private resume(): ActivePack | null {
    const id = this.resumable
    this.resumable = null
    const pack = id === null ? undefined : this.packs.get(id)
    // A pack half dead is compacted, not filled: its blobs may be moving out right now.
    if (id === null || !pack || pack.size >= this.packBytes || this.wasteful(id)) return null
    try {
      const fd = openSync(this.file(id), 'a')
      // Appends land at the file's end, wherever we think it is.
      pack.size = fstatSync(fd).size
      this.active = { id, fd, written: pack.size }
      return this.active
    } catch {
      return null
    }
  }

  private closeActive(): void {
    if (!this.active) return
    try {
      this.flushWrites()
    } catch {
      // flushWrites has closed it
      return
    }
    if (!this.active) return
    const { id, fd } = this.active
    this.active = null
    closeSync(fd)
    if (this.packs.get(id)?.live === 0) this.remove(id)
  }

  private file(id: number): string {
    return path.join(this.dir, `${id}.pack`)
  }
}

function fstatSafe(fd: number): number | null {
  try {
    return fstatSync(fd).size
  } catch {
    return null
  }
}

function rmQuietly(file: PathLike): void {
  try {
    rmSync(file, { force: true })
  } catch {
    // left for the next start's sweep
  }
}
