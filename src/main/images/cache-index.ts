import { readFile, readdir, rename, rm } from 'node:fs/promises'
import path from 'node:path'
import { z } from 'zod'
import { log } from '../log'
import { isMissing } from '../log/fs-errors'
import type { CacheDisk } from './disk'

/**
 * The image cache's index on disk: a snapshot (`index.json`, every key and where its bytes
 * are) and a journal of the changes made since (`index-<n>.log`, one JSON line per key changed
 * or gone). A write costs what changed, not the whole index: 100,000 keys are ~24 MB of JSON,
 * which a big download used to rewrite every few seconds (a twentieth of main's CPU while a
 * 10,000-image job downloaded into a cache holding a few such jobs). The snapshot is rewritten
 * once the journal is as long as the index, and names the journal that follows it: a journal
 * left behind by a crash between the two is not read, and goes at the next start. A crash may
 * also cut a journal's last line: it is ignored (those images are fetched again). Every write
 * is fsynced before it resolves (and the folder, when it made or renamed a file): the cache
 * answers "stored" only after that.
 */

const EntryShape = z.object({
  key: z.string(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  contentType: z.string(),
  lastUsed: z.number(),
  pack: z.number().int().positive().optional(),
  offset: z.number().int().nonnegative().optional()
})
/** One key as the index stores it; `pack` and `offset` when its bytes are in a pack. */
export type IndexEntry = z.infer<typeof EntryShape>

const Snapshot = z.object({
  // Version 1 had no packs: its entries name files in `blobs/`, which version 2 still reads.
  version: z.union([z.literal(1), z.literal(2)]),
  entries: z.array(EntryShape),
  /** The journal that follows this snapshot (none before journals: 0). */
  journal: z.number().int().nonnegative().default(0)
})

const Line = z.union([EntryShape, z.object({ key: z.string(), gone: z.literal(true) })])

/** A key's new state for the journal: its entry, or gone. */
export type IndexChange = IndexEntry | { key: string; gone: true }

const SNAPSHOT = 'index.json'
const JOURNAL_NAME = /^index-(\d+)\.log$/
const journalFile = (n: number) => `index-${n}.log`

export class IndexStore {
  private constructor(
    private readonly dir: string,
    private readonly disk: CacheDisk,
    /** The journal being appended to. */
    private journal: number,
    /** Lines in it. */
    private lines: number,
    /** Whether its file exists with a durable name (else the folder is fsynced after a write). */
    private journalNamed: boolean
  ) {}

  /**
   * The index as the last writes left it (snapshot, then journal), and the store that goes on
   * writing it. Missing or unreadable files read as empty: the cache starts over.
   */
  static async open(
    dir: string,
    disk: CacheDisk
  ): Promise<{ store: IndexStore; entries: IndexEntry[] }> {
    const byKey = new Map<string, IndexEntry>()
    let journal = 0
    try {
      const parsed = Snapshot.safeParse(
        JSON.parse(await readFile(path.join(dir, SNAPSHOT), 'utf8'))
      )
      if (parsed.success) {
        for (const entry of parsed.data.entries) byKey.set(entry.key, entry)
        journal = parsed.data.journal
      }
    } catch (error) {
      // No index yet is the usual first start; an unreadable one costs the whole cache.
      if (!isMissing(error))
        log.warn('the image cache index could not be read: the cache starts over', error)
    }
    for (const name of await readdir(dir).catch(() => [] as string[])) {
      const n = JOURNAL_NAME.exec(name)
      if (n && Number(n[1]) !== journal) await rm(path.join(dir, name), { force: true })
    }
    let lines = 0
    const text = await readFile(path.join(dir, journalFile(journal)), 'utf8').catch(() => '')
    for (const line of text.split('\n')) {
      if (line === '') continue
      lines++
      const change = parseLine(line)
      if (!change) continue // cut short by a crash
      if ('gone' in change) byKey.delete(change.key)
      else byKey.set(change.key, change)
    }
    // A cut last line would run into the next append: a snapshot first, and a new journal.
    if (!text.endsWith('\n') && text !== '') lines = Number.POSITIVE_INFINITY
    const store = new IndexStore(dir, disk, journal, lines, text !== '')
    return { store, entries: [...byKey.values()] }
  }

  /** Whether the next write should be a snapshot: the journal would outgrow the index. */
  wantsSnapshot(changes: number, entries: number): boolean {
    return this.lines + changes > Math.max(1000, entries)
  }

  /** Appends the changes to the journal. */
  async append(changes: readonly IndexChange[]): Promise<void> {
    if (changes.length === 0) return
    let text = ''
    for (const change of changes) text += JSON.stringify(change) + '\n'
    await this.disk.writeFile(path.join(this.dir, journalFile(this.journal)), text, 'a')
    this.lines += changes.length
    if (!this.journalNamed) {
      await this.disk.fsyncDir(this.dir)
      this.journalNamed = true
    }
  }

  /** Writes every entry as the new snapshot, followed by a new, empty journal. */
  async snapshot(entries: readonly IndexEntry[]): Promise<void> {
    const file = path.join(this.dir, SNAPSHOT)
    const next = this.journal + 1
    await this.disk.writeFile(
      `${file}.tmp`,
      JSON.stringify({ version: 2, entries, journal: next }),
      'w'
    )
    await rename(`${file}.tmp`, file)
    await this.disk.fsyncDir(this.dir)
    const old = this.journal
    this.journal = next
    this.lines = 0
    this.journalNamed = false
    await rm(path.join(this.dir, journalFile(old)), { force: true })
  }
}

function parseLine(line: string): IndexChange | null {
  try {
    const parsed = Line.safeParse(JSON.parse(line))
    return parsed.success ? parsed.data : null
    // eslint-disable-next-line no-restricted-syntax -- a line cut short by a crash: null, which open skips
  } catch {
    return null
  }
}
