import { mkdir, readFile, readdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { DiskWriteError, errnoOf, type CacheDisk } from './disk'

/**
 * Blobs too big for a pack (full images): a file each, `blobs/ab/abcd...`, named by the hash
 * of its bytes. A file is written under a temporary name, fsynced, then renamed, so a name
 * always holds whole bytes; the folders whose names changed are fsynced by the cache's next
 * index write (`takeChanged`, `syncFolders`), before the index names the file.
 */
export class BlobFiles {
  /** Shard folders known to exist. */
  private readonly shards = new Set<string>()
  /** Folders with names not yet fsynced. */
  private changed = new Set<string>()

  constructor(
    private readonly root: string,
    private readonly disk: CacheDisk
  ) {}

  async open(): Promise<void> {
    await mkdir(this.root, { recursive: true })
  }

  file(hash: string): string {
    return path.join(this.root, hash.slice(0, 2), hash)
  }

  read(hash: string): Promise<Buffer> {
    return readFile(this.file(hash))
  }

  remove(hash: string): Promise<void> {
    return rm(this.file(hash), { force: true })
  }

  /** Writes the file (a `DiskWriteError` when it could not); nothing is left behind on failure. */
  async write(hash: string, bytes: Buffer): Promise<void> {
    const file = this.file(hash)
    const dir = path.dirname(file)
    const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`
    const write = () => this.disk.writeFile(temp, bytes, 'w')
    try {
      // Each shard folder is made once per run, not once per image.
      if (!this.shards.has(dir)) await this.makeShard(dir)
      try {
        await write()
      } catch (error) {
        // Removed behind our back (someone cleaned the folder): make it again, once.
        if (errnoOf(error) !== 'ENOENT') throw error
        await this.makeShard(dir)
        await write()
      }
      await rename(temp, file)
      this.changed.add(dir)
    } catch (error) {
      // A part written before the disk filled up would only take more of it.
      // A part left behind is swept at the next start (its name is no hash), and the write's
      // own failure is the one to report.
      // eslint-disable-next-line no-restricted-syntax -- the sweep takes what rm leaves
      await rm(temp, { force: true }).catch(() => undefined)
      throw new DiskWriteError(error, 'an image file')
    }
  }

  /** Folders whose names changed since the last call. */
  takeChanged(): string[] {
    const dirs = [...this.changed]
    this.changed.clear()
    return dirs
  }

  /** For a write that failed: those folders are fsynced next time. */
  keepChanged(dirs: readonly string[]): void {
    for (const dir of dirs) this.changed.add(dir)
  }

  async syncFolders(dirs: readonly string[]): Promise<void> {
    for (const dir of dirs) {
      try {
        await this.disk.fsyncDir(dir)
      } catch (error) {
        // A shard folder removed behind our back has nothing left to make durable.
        if (errnoOf(error) !== 'ENOENT') throw error
      }
    }
  }

  /** Files `keep` does not want (a crash between writing one and the index) would escape the cap. */
  async sweep(keep: (hash: string) => boolean): Promise<void> {
    for (const shard of await readdir(this.root).catch(() => [] as string[])) {
      for (const name of await readdir(path.join(this.root, shard)).catch(() => [] as string[])) {
        if (!keep(name)) await rm(path.join(this.root, shard, name), { force: true })
      }
    }
  }

  private async makeShard(dir: string): Promise<void> {
    await mkdir(dir, { recursive: true })
    this.shards.add(dir)
    // The shard's own name, in its parent.
    this.changed.add(this.root)
  }
}
