import { fsync, writeSync } from 'node:fs'
import { open, statfs } from 'node:fs/promises'
import { promisify } from 'node:util'

/**
 * Every write of the image cache to the disk, in one place: the cache passes a `CacheDisk` to
 * its packs and its index, so a test can make the disk fill up (ENOSPC) at an exact byte
 * without a small file system of its own (making one needs root). `realDisk` is the default.
 * A write counts once the device has it: files are written and fsynced before they count,
 * and a folder is fsynced after a file in it is created or renamed.
 */
export interface CacheDisk {
  /** Like `fs.writeSync(fd, bytes, offset, length)`: bytes written (maybe fewer), or throws. */
  writeSync(fd: number, bytes: Buffer, offset: number, length: number): number
  /** Writes (`w`) or appends to (`a`) a file, then fsyncs it. */
  writeFile(file: string, data: string | Buffer, flag: 'w' | 'a'): Promise<void>
  /** Waits until the device holds what was written to `fd`. */
  fsync(fd: number): Promise<void>
  /** Makes the names in a folder (files created, renamed) durable. */
  fsyncDir(dir: string): Promise<void>
  /** Bytes this user may still write on the disk holding `dir`; null when it cannot be told. */
  freeBytes(dir: string): Promise<number | null>
}

const fsyncFd = promisify(fsync)

export const realDisk: CacheDisk = {
  writeSync: (fd, bytes, offset, length) => writeSync(fd, bytes, offset, length),
  async writeFile(file, data, flag) {
    const handle = await open(file, flag)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
  },
  fsync: (fd) => fsyncFd(fd),
  async fsyncDir(dir) {
    let handle
    try {
      handle = await open(dir, 'r')
    } catch (error) {
      // Windows cannot open a folder; its renames are durable once they return.
      if (process.platform === 'win32') return
      throw error
    }
    try {
      await handle.sync()
    } catch (error) {
      // Some file systems refuse to fsync a folder (EINVAL): nothing more can be done there.
      if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error
    } finally {
      await handle.close()
    }
  },
  async freeBytes(dir) {
    try {
      const stats = await statfs(dir)
      return stats.bavail * stats.bsize
      // eslint-disable-next-line no-restricted-syntax -- an answer: null says the free space is not known
    } catch {
      return null
    }
  }
}

/**
 * A write of the cache that did not reach the disk. `code` is the system's (`ENOSPC` for a full
 * disk, `EIO`, `EDQUOT`...); what was lost has already been forgotten by the cache.
 */
export class DiskWriteError extends Error {
  readonly code: string

  constructor(cause: unknown, what: string) {
    const code = errnoOf(cause) ?? 'EIO'
    const reason = cause instanceof Error ? cause.message : String(cause)
    super(`Could not write ${what} to the image cache: ${reason}`, { cause })
    this.name = 'DiskWriteError'
    this.code = code
  }
}

/** A failed write of a pack: the pack now ends at `endsAt` on disk and takes no more appends. */
export class PackWriteError extends DiskWriteError {
  constructor(
    cause: unknown,
    readonly pack: number,
    readonly endsAt: number
  ) {
    super(cause, `pack ${pack}`)
    this.name = 'PackWriteError'
  }
}

export function errnoOf(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code
  return typeof code === 'string' ? code : null
}
