import { realDisk, type CacheDisk } from '../src/main/images/disk'

/**
 * For tests: the real disk with room for only `room` more bytes, as a full disk behaves. A
 * write past it writes what fits and fails with ENOSPC, as `write(2)` does; `freeBytes` says
 * what is left. `room` can be raised (space freed) while the cache runs. Every call is logged
 * in `calls`, to see what was written and fsynced when.
 */
export class FullDisk implements CacheDisk {
  readonly calls: string[] = []

  constructor(public room: number) {}

  writeSync(fd: number, bytes: Buffer, offset: number, length: number): number {
    const fits = Math.min(length, this.room)
    this.calls.push(`write ${fd}`)
    if (fits === 0) throw enospc()
    const written = realDisk.writeSync(fd, bytes, offset, fits)
    this.room -= written
    return written
  }

  async writeFile(file: string, data: string | Buffer, flag: 'w' | 'a'): Promise<void> {
    const bytes = typeof data === 'string' ? Buffer.from(data) : data
    this.calls.push(`writeFile ${flag} ${file}`)
    if (bytes.length > this.room) {
      // What fits lands, as a real write would leave it.
      await realDisk.writeFile(file, bytes.subarray(0, this.room), flag)
      this.room = 0
      throw enospc()
    }
    await realDisk.writeFile(file, bytes, flag)
    this.room -= bytes.length
  }

  async fsync(fd: number): Promise<void> {
    this.calls.push(`fsync ${fd}`)
    await realDisk.fsync(fd)
  }

  async fsyncDir(dir: string): Promise<void> {
    this.calls.push(`fsyncDir ${dir}`)
    await realDisk.fsyncDir(dir)
  }

  async freeBytes(): Promise<number> {
    return this.room
  }
}

function enospc(): NodeJS.ErrnoException {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), {
    code: 'ENOSPC',
    errno: -28,
    syscall: 'write'
  })
}
