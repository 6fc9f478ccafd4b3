import { closeSync, fstatSync, mkdirSync, openSync, readSync, rmSync, type PathLike } from 'node:fs'
import { mkdir, open, readdir, stat } from 'node:fs/promises'
import path from 'node:path'
import { log } from '../log'
import { PackWriteError, errnoOf, type CacheDisk } from './disk'

/**
 * Small blobs (thumbnails) appended to pack files, `packs/<n>.pack`, of up to `packBytes`
 * each: one open file takes thousands of thumbnails, where a file per thumbnail costs the
 * file system a create, a rename and a directory entry each (10,000 thumbnails as files took
 * an ext4 disk 2-6 s of kernel time on the bench machine; appended to a pack, ~0.1 s). The
 * cache keeps the accounting: it says which bytes are still named (`claim`, `release`); a
 * pack whose bytes are all released is deleted, and one at least half released is worth
 * compacting (`wasteful`: its live blobs appended anew, then `forget`, its file deleted once
 * the index no longer names it). Appends gather in memory and go to the disk in one write per
 * `WRITE_BATCH` bytes (one `write` per thumbnail was a tenth of main's CPU while a job
 * downloaded); `sync` writes them and waits for the device (fsync), and the cache calls it
 * before its index names them, so the index never names bytes a crash or a power cut can
 * take back. A pack that stops taking appends (full) keeps its file open until the next
 * `sync` has fsynced it.
 *
 * A failed write (disk full) ends the pack where the disk has it: `failures()` hands the cache
 * each such end, so it forgets the blobs past it at once.
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

/** A pack with its file open for appends (the active one), or waiting for its last fsync. */
interface OpenPack {
  id: number
  fd: number
  /** Bytes of the file written; the pack's `size` also counts the appends still in memory. */
  written: number
  /** Bytes of the file the device is known to hold. */
  synced: number
}

export class Packs {
  private readonly packs = new Map<number, PackInfo>()
  /** The pack appends go to, and its open file. */
  private active: OpenPack | null = null
  /** Packs no longer appended to whose last bytes wait for the next `sync`. */
  private retired: OpenPack[] = []
  /** Appends to the active pack not written yet, in order, from its `written` offset. */
  private waiting: Buffer[] = []
  private waitingBytes = 0
  private nextId = 1
  /** The newest pack found at start, which appends go on filling while it has room. */
  private resumable: number | null = null
  /** Failed writes the cache has not been told of yet. */
  private failed: PackWriteError[] = []
  /** `sync` calls running: a file they fsync is closed only once they are done. */
  private syncing = 0
  private closeLater: number[] = []
  /** A pack file was made since the last `sync`: the folder's names need an fsync too. */
  private newFile = false

  private constructor(
    private readonly dir: string,
    private readonly packBytes: number,
    private readonly disk: CacheDisk
  ) {}

  /** The packs on disk, each with nothing live until the cache claims its blobs. */
  static async open(dir: string, packBytes: number, disk: CacheDisk): Promise<Packs> {
    const packs = new Packs(dir, packBytes, disk)
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
    if (this.waitingBytes >= WRITE_BATCH || pack.size >= this.packBytes) {
      try {
        this.flushWrites()
      } catch (error) {
        // Not named by anyone yet: the caller learns it was not stored.
        pack.live -= bytes.length
        throw error
      }
    }
    if (pack.size >= this.packBytes) this.closeActive()
    return { pack: active.id, offset }
  }

  /** Failed writes since the last call, oldest first: the blobs past each `endsAt` are lost. */
  failures(): PackWriteError[] {
    const failed = this.failed
    this.failed = []
    return failed
  }

  /**
   * Writes the appends waiting in memory. When that fails (disk full) the pack ends where the
   * disk has it and takes nothing more (see `failures`).
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
        written += this.disk.writeSync(active.fd, bytes, written, bytes.length - written)
      active.written += bytes.length
    } catch (error) {
      throw this.fail(active, error, fstatSafe(active.fd) ?? active.written)
    }
  }

  /**
   * Everything appended so far, on the device: written, then fsynced (the active pack and those
   * filled since the last call). Throws the first failure; `failures` has them all.
   */
  async sync(): Promise<void> {
    let first: PackWriteError | null = null
    try {
      this.flushWrites()
    } catch (error) {
      first = error as PackWriteError
    }
    const retired = this.retired
    this.retired = []
    const open = [...retired, ...(this.active ? [this.active] : [])]
    const newFile = this.newFile
    this.newFile = false
    this.syncing++
    try {
      if (newFile) first ??= await this.syncFolder()
      await Promise.all(
        open.map(async (pack) => {
          const upTo = pack.written
          if (upTo > pack.synced) {
            try {
              await this.disk.fsync(pack.fd)
              pack.synced = Math.max(pack.synced, upTo)
            } catch (error) {
              // What the device holds past the last fsync is unknown: none of it counts.
              const failure = this.fail(pack, error, pack.synced)
              first ??= failure
            }
          }
          // The active pack stays open (or `fail` closed it); a retired one is done with.
          if (retired.includes(pack)) this.closeFd(pack.fd)
        })
      )
    } finally {
      if (--this.syncing === 0) for (const fd of this.closeLater.splice(0)) closeQuietly(fd)
    }
    if (first) throw first
  }

  /** The folder's names (a new pack file's), made durable; the failure, if any. */
  private async syncFolder(): Promise<PackWriteError | null> {
    try {
      await this.disk.fsyncDir(this.dir)
      return null
    } catch (error) {
      this.newFile = true
      // Pack 0 names no blob: nothing is forgotten, the index waits for the next try.
      return new PackWriteError(error, 0, 0)
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

  /** Forgets a pack and deletes its file. */
  remove(id: number): void {
    this.forget(id)
    this.deleteFile(id)
  }

  /**
   * Forgets a pack (its blobs moved elsewhere) but leaves its file: the index on disk may still
   * name it until the cache writes where they went; then `deleteFile`.
   */
  forget(id: number): void {
    this.packs.delete(id)
    if (this.active?.id === id) {
      // Its appends waiting in memory would only be written to be deleted.
      this.waiting = []
      this.waitingBytes = 0
      this.closeFd(this.active.fd)
      this.active = null
    }
    const retired = this.retired.find((p) => p.id === id)
    if (retired) {
      this.retired = this.retired.filter((p) => p !== retired)
      this.closeFd(retired.fd)
    }
  }

  deleteFile(id: number): void {
    // Windows refuses while a read has it open: the next start finds it unclaimed.
    if (!this.packs.has(id)) rmQuietly(this.file(id))
  }

  /** Closes every file; what was not synced is written (the caller syncs first to be sure). */
  close(): void {
    try {
      this.flushWrites()
      // eslint-disable-next-line no-restricted-syntax -- reported through `failures`
    } catch {
      // The index written before this does not name those bytes.
    }
    for (const pack of [...this.retired, ...(this.active ? [this.active] : [])])
      this.closeFd(pack.fd)
    this.retired = []
    this.active = null
  }

  /** Bytes still in memory are written before anything reads them from the file. */
  private ensureWritten(at: PackLocation, size: number): void {
    const active = this.active
    if (active?.id === at.pack && at.offset + size > active.written) this.flushWrites()
  }

  /** Records a failed write: the pack ends at `endsAt` and takes no more appends. */
  private fail(pack: OpenPack, cause: unknown, endsAt: number): PackWriteError {
    const info = this.packs.get(pack.id)
    if (info) info.size = Math.min(info.size, endsAt)
    if (this.active === pack) {
      this.waiting = []
      this.waitingBytes = 0
      this.active = null
      this.closeFd(pack.fd)
    }
    const failure = new PackWriteError(cause, pack.id, endsAt)
    this.failed.push(failure)
    return failure
  }

  private activePack(): OpenPack {
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
    this.active = { id, fd, written: 0, synced: 0 }
    this.newFile = true
    return this.active
  }

  /** The newest pack of the last run, if it is still there and not full: one file, not one per run. */
  private resume(): OpenPack | null {
    const id = this.resumable
    this.resumable = null
    const pack = id === null ? undefined : this.packs.get(id)
    // A pack half dead is compacted, not filled: its blobs may be moving out right now.
    if (id === null || !pack || pack.size >= this.packBytes || this.wasteful(id)) return null
    try {
      const fd = openSync(this.file(id), 'a')
      // Appends land at the file's end, wherever we think it is.
      pack.size = fstatSync(fd).size
      this.active = { id, fd, written: pack.size, synced: pack.size }
      return this.active
      // eslint-disable-next-line no-restricted-syntax -- not resumed: the caller starts a new pack
    } catch {
      return null
    }
  }

  /** Full: no more appends; its file stays open until its last bytes are fsynced. */
  private closeActive(): void {
    const active = this.active
    if (!active) return
    this.flushWrites()
    this.active = null
    if (this.packs.get(active.id)?.live === 0) {
      this.closeFd(active.fd)
      this.remove(active.id)
    } else if (active.written > active.synced) this.retired.push(active)
    else this.closeFd(active.fd)
  }

  private closeFd(fd: number): void {
    if (this.syncing > 0) this.closeLater.push(fd)
    else closeQuietly(fd)
  }

  private file(id: number): string {
    return path.join(this.dir, `${id}.pack`)
  }
}

function fstatSafe(fd: number): number | null {
  try {
    return fstatSync(fd).size
    // eslint-disable-next-line no-restricted-syntax -- unknown: null, and the caller counts what it wrote
  } catch {
    return null
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd)
  } catch (error) {
    // Already closed (EBADF) says nothing; another failure may hide bytes the disk did not take.
    if (errnoOf(error) !== 'EBADF') log.warn('an image cache pack did not close cleanly', error)
  }
}

function rmQuietly(file: PathLike): void {
  try {
    rmSync(file, { force: true })
    // eslint-disable-next-line no-restricted-syntax -- left for the next start, which deletes unclaimed packs
  } catch {
    // left for the next start's sweep
  }
}
