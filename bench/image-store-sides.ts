import Database from 'better-sqlite3'
import { hash as digest } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { ImageCache } from '../src/main/images/cache'

/**
 * The two storages `image-store.bench.ts` compares, behind one small interface: the real
 * `ImageCache` (pack files and an index journal, `src/main/images/`) and a prototype on SQLite
 * (WAL; a table of blobs keyed by SHA-256 and an index table key -> hash, content type, size,
 * last use). Both store a chunk of thumbnails and answer only once it is durable: the cache's
 * `persist` (pack fsynced, then the journal), SQLite's commit of one transaction per chunk.
 * With `synchronous=FULL` that commit fsyncs the WAL (durable across a power cut, as the
 * cache is); with `NORMAL` it does not (durable across a killed process only; the WAL is
 * fsynced at checkpoints).
 */
export interface Thumb {
  key: string
  bytes: Buffer
}

export interface ImageStore {
  /** Returns once every thumbnail of the chunk is durably stored. */
  putChunk(chunk: readonly Thumb[]): Promise<void>
  get(key: string): Promise<Buffer | null>
  close(): Promise<void>
}

export type SideName = 'packs' | 'sqlite-full' | 'sqlite-normal'
export const SIDES: readonly SideName[] = ['packs', 'sqlite-full', 'sqlite-normal']

const CONTENT_TYPE = 'image/jpeg'
const sha256 = (bytes: Buffer) => digest('sha256', bytes, 'hex')

export async function openStore(side: SideName, dir: string): Promise<ImageStore> {
  if (side === 'packs') return openPacks(dir)
  await mkdir(dir, { recursive: true })
  return SqliteImageStore.open(
    path.join(dir, 'images.db'),
    side === 'sqlite-full' ? 'FULL' : 'NORMAL'
  )
}

async function openPacks(dir: string): Promise<ImageStore> {
  const cache = await ImageCache.open(dir, { capBytes: 1 << 30 })
  return {
    async putChunk(chunk) {
      // As an offline download's chunk: each image put as it arrives, then one `persist`.
      for (const { key, bytes } of chunk) await cache.put(key, bytes, CONTENT_TYPE)
      const missing = await cache.persist(chunk.map((t) => t.key))
      if (missing.length > 0) throw new Error(`the cache lost ${missing.length} thumbnails`)
    },
    async get(key) {
      return (await cache.get(key))?.bytes ?? null
    },
    close: () => cache.close()
  }
}

/** The SQLite prototype: what the cache's storage would be if it moved to SQLite. */
export class SqliteImageStore implements ImageStore {
  /** Last uses waiting to be written, as the cache's index waits for its next flush. */
  private readonly uses = new Map<string, number>()
  private readonly insertBlob: Database.Statement<[string, Buffer]>
  private readonly upsertEntry: Database.Statement<[string, string, string, number, number]>
  private readonly select: Database.Statement<[string], { bytes: Buffer }>
  private readonly touch: Database.Statement<[number, string]>
  private readonly storeChunk: (chunk: readonly Thumb[]) => void
  private readonly writeUses: () => void

  private constructor(private readonly db: Database.Database) {
    this.insertBlob = db.prepare('INSERT OR IGNORE INTO blobs (hash, bytes) VALUES (?, ?)')
    this.upsertEntry = db.prepare(
      `INSERT INTO entries (key, hash, content_type, size, last_used) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET hash = excluded.hash, content_type = excluded.content_type,
         size = excluded.size, last_used = excluded.last_used`
    )
    this.select = db.prepare(
      'SELECT b.bytes AS bytes FROM entries e JOIN blobs b ON b.hash = e.hash WHERE e.key = ?'
    )
    this.touch = db.prepare('UPDATE entries SET last_used = ? WHERE key = ?')
    this.storeChunk = db.transaction((chunk: readonly Thumb[]) => {
      const now = Date.now()
      for (const { key, bytes } of chunk) {
        const hash = sha256(bytes)
        this.insertBlob.run(hash, bytes)
        this.upsertEntry.run(key, hash, CONTENT_TYPE, bytes.length, now)
      }
    })
    this.writeUses = db.transaction(() => {
      for (const [key, at] of this.uses) this.touch.run(at, key)
      this.uses.clear()
    })
  }

  static open(file: string, synchronous: 'FULL' | 'NORMAL'): SqliteImageStore {
    const db = new Database(file)
    db.pragma('journal_mode = WAL')
    db.pragma(`synchronous = ${synchronous}`)
    db.exec(`
      CREATE TABLE IF NOT EXISTS blobs (hash TEXT PRIMARY KEY, bytes BLOB NOT NULL);
      CREATE TABLE IF NOT EXISTS entries (
        key TEXT PRIMARY KEY,
        hash TEXT NOT NULL,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        last_used INTEGER NOT NULL
      ) WITHOUT ROWID;
      CREATE INDEX IF NOT EXISTS entries_by_hash ON entries (hash);
      CREATE INDEX IF NOT EXISTS entries_by_use ON entries (last_used);
    `)
    return new SqliteImageStore(db)
  }

  async putChunk(chunk: readonly Thumb[]): Promise<void> {
    // One transaction: its commit is the chunk's one durable write.
    this.storeChunk(chunk)
  }

  async get(key: string): Promise<Buffer | null> {
    const row = this.select.get(key)
    if (!row) return null
    this.uses.set(key, Date.now())
    return row.bytes
  }

  async close(): Promise<void> {
    this.writeUses()
    this.db.close()
  }
}

const SERVICE_THUMBS = '/tmp/bench-svc/10000/thumbs'

/**
 * `count` real JPEG thumbnails, the same ones in the same order in every process: those the
 * local service drew for the offline bench when it left them in /tmp/bench-svc, else ones
 * drawn here with sharp once (kept in the temp folder for the next run).
 */
export async function loadThumbs(count: number): Promise<{ thumbs: Buffer[]; source: string }> {
  let dir = SERVICE_THUMBS
  let files = existsSync(dir) ? await jpegsUnder(dir) : []
  if (files.length < count) {
    dir = path.join(tmpdir(), `tagdeck-bench-thumbs-${count}`)
    files = existsSync(dir) ? await jpegsUnder(dir) : []
    if (files.length < count) files = await drawThumbs(dir, count)
  }
  const chosen = files.slice(0, count)
  return { thumbs: await Promise.all(chosen.map((f) => readFile(f))), source: dir }
}

async function jpegsUnder(dir: string): Promise<string[]> {
  const names = await readdir(dir, { recursive: true })
  return names
    .filter((n) => n.endsWith('.jpg'))
    .sort()
    .map((n) => path.join(dir, n))
}

/** Thumbnails 200 px high of smooth, seeded shapes: JPEG of 2-4 KB, as the service's are. */
async function drawThumbs(dir: string, count: number): Promise<string[]> {
  const { default: sharp } = await import('sharp')
  await mkdir(dir, { recursive: true })
  const files: string[] = []
  const width = 267
  const height = 200
  for (let i = 0; i < count; i++) {
    const pixels = Buffer.alloc(width * height * 3)
    const fx = 1 + (i % 7)
    const fy = 1 + ((i * 13) % 5)
    for (let y = 0; y < height; y++)
      for (let x = 0; x < width; x++) {
        const at = (y * width + x) * 3
        pixels[at] = (128 + 120 * Math.sin((x * fx) / 40 + i)) | 0
        pixels[at + 1] = (128 + 120 * Math.cos((y * fy) / 30 + i / 3)) | 0
        pixels[at + 2] = ((x + y + i * 17) * 2) % 256
      }
    const file = path.join(dir, `${String(i).padStart(5, '0')}.jpg`)
    await writeFile(
      file,
      await sharp(pixels, { raw: { width, height, channels: 3 } })
        .jpeg({ quality: 60 })
        .toBuffer()
    )
    files.push(file)
  }
  return files
}

export const thumbKey = (i: number) => `bench/job/s${i}/thumb`
