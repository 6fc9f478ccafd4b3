import { createHash } from 'node:crypto'
import {
  appendFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  truncate,
  writeFile
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ImageCache } from './cache'

let dir: string
let time = 0
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-cache-'))
  time = 0
})
const opened: ImageCache[] = []
afterEach(async () => {
  // Closed first: a pending index write must not land in a folder being removed.
  await Promise.all(opened.splice(0).map((cache) => cache.close().catch(() => undefined)))
  await rm(dir, { recursive: true, force: true })
})

async function open(capBytes: number, packBytes?: number): Promise<ImageCache> {
  const cache = await ImageCache.open(dir, { capBytes, now: () => ++time, packBytes })
  opened.push(cache)
  return cache
}
const bytes = (fill: number, size = 100) => Buffer.alloc(size, fill)
/** Bigger than what goes into packs: a file of its own. */
const BIG = 300 * 1024

/** Files under `sub` of the cache folder, and their bytes. */
async function onDisk(sub: 'packs' | 'blobs'): Promise<{ files: number; bytes: number }> {
  let files = 0
  let total = 0
  const walk = async (at: string) => {
    for (const entry of await readdir(at, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(at, entry.name)
      if (entry.isDirectory()) await walk(full)
      else {
        files++
        total += (await stat(full)).size
      }
    }
  }
  await walk(path.join(dir, sub))
  return { files, bytes: total }
}

describe('ImageCache', () => {
  it('stores and serves bytes with their content type', async () => {
    const cache = await open(10_000)
    await cache.put('c/j/s1/thumb', bytes(1), 'image/png')
    expect(await cache.get('c/j/s1/thumb')).toEqual({ bytes: bytes(1), contentType: 'image/png' })
    expect(await cache.get('c/j/s2/thumb')).toBeNull()
  })

  it('appends thumbnails to one pack file, not a file each', async () => {
    const cache = await open(1_000_000)
    for (let i = 0; i < 50; i++) await cache.put(`c/j/s${i}/thumb`, bytes(i), 'image/png')
    // Still in memory: written in one go with the index, not fifty times.
    expect(await onDisk('packs')).toEqual({ files: 1, bytes: 0 })
    await cache.flush()
    expect(await onDisk('packs')).toEqual({ files: 1, bytes: 5000 })
    expect(await onDisk('blobs')).toEqual({ files: 0, bytes: 0 })
    for (let i = 0; i < 50; i++)
      expect((await cache.get(`c/j/s${i}/thumb`))?.bytes).toEqual(bytes(i))
  })

  it('evicts the least recently used keys past the cap', async () => {
    const cache = await open(300)
    await cache.put('a', bytes(1), 'image/png')
    await cache.put('b', bytes(2), 'image/png')
    await cache.put('c', bytes(3), 'image/png')
    await cache.get('a') // a is now the most recent; b the least
    await cache.put('d', bytes(4), 'image/png')
    expect(cache.has('b')).toBe(false)
    expect(['a', 'c', 'd'].every((k) => cache.has(k))).toBe(true)
    expect(cache.info()).toEqual({ bytes: 300, entries: 3, capBytes: 300 })
  })

  it('stores identical bytes once and counts them once', async () => {
    const cache = await open(1000)
    await cache.put('x/thumb', bytes(7), 'image/jpeg')
    await cache.put('y/thumb', bytes(7), 'image/jpeg')
    expect(cache.info()).toMatchObject({ bytes: 100, entries: 2 })
    await cache.flush()
    expect((await onDisk('packs')).bytes).toBe(100)
    await cache.removePrefix('x/')
    expect((await onDisk('packs')).bytes).toBe(100)
    await cache.removePrefix('y/')
    expect(await onDisk('packs')).toEqual({ files: 0, bytes: 0 })
    expect(cache.info().bytes).toBe(0)
    // A new pack for what comes next.
    await cache.put('z/thumb', bytes(8), 'image/jpeg')
    expect((await cache.get('z/thumb'))?.bytes).toEqual(bytes(8))
  })

  it('deletes packs nobody names and compacts half-dead ones, so the disk follows the cap', async () => {
    // Packs of 400 bytes: four thumbnails each; the cap holds ten.
    const cache = await open(1000, 400)
    for (let i = 0; i < 40; i++) await cache.put(`k${i}`, bytes(i), 'image/png')
    expect(cache.info()).toMatchObject({ bytes: 1000, entries: 10 })
    // Keep every other one of the survivors fresh, then push the rest out.
    for (let i = 30; i < 40; i += 2) await cache.get(`k${i}`)
    for (let i = 40; i < 45; i++) await cache.put(`k${i}`, bytes(i), 'image/png')
    const kept = [30, 32, 34, 36, 38, 40, 41, 42, 43, 44]
    expect(kept.every((i) => cache.has(`k${i}`))).toBe(true)
    // A compacted pack's file goes once the index on disk names where its blobs went.
    await cache.flush()
    // What is live, and at most one pack more (without compaction: 1,700 bytes).
    expect((await onDisk('packs')).bytes).toBeLessThanOrEqual(1000 + 400)
    for (const i of kept) expect((await cache.get(`k${i}`))?.bytes).toEqual(bytes(i))
    await cache.close()
    const again = await open(1000, 400)
    for (const i of kept) expect((await again.get(`k${i}`))?.bytes).toEqual(bytes(i))
  })

  it('forgets the thumbnails of a pack it cannot compact (removed behind its back)', async () => {
    const cache = await open(10_000, 400)
    for (const key of ['x/0', 'x/1', 'y/2', 'y/3', 'z/4'])
      await cache.put(key, bytes(key.length + key.charCodeAt(2)), 'image/png')
    const packs = (await readdir(path.join(dir, 'packs'))).sort()
    expect(packs).toEqual(['1.pack', '2.pack'])
    await rm(path.join(dir, 'packs', '1.pack'))
    // Half of pack 1 goes: it is compacted, and what it held cannot be read.
    await cache.removePrefix('x/')
    expect(cache.has('y/2')).toBe(false)
    expect(cache.info()).toMatchObject({ entries: 1, bytes: 100 })
    expect(await cache.get('z/4')).not.toBeNull()
  })

  it('goes on filling the last pack after a restart, not one pack per run', async () => {
    const first = await open(10_000)
    await first.put('a', bytes(1), 'image/png')
    await first.close()
    const second = await open(10_000)
    await second.put('b', bytes(2), 'image/png')
    await second.flush()
    expect(await onDisk('packs')).toEqual({ files: 1, bytes: 200 })
    expect((await second.get('a'))?.bytes).toEqual(bytes(1))
    expect((await second.get('b'))?.bytes).toEqual(bytes(2))
    await second.close()
    const third = await open(10_000)
    expect((await third.get('b'))?.bytes).toEqual(bytes(2))
  })

  it('keeps its index and recency across restarts', async () => {
    const first = await open(300)
    await first.put('a', bytes(1), 'image/png')
    await first.put('b', bytes(2), 'image/png')
    await first.get('a')
    await first.close()
    const second = await open(300)
    expect(second.info()).toMatchObject({ bytes: 200, entries: 2 })
    await second.put('c', bytes(3), 'image/png')
    await second.put('d', bytes(4), 'image/png')
    expect(second.has('b')).toBe(false)
    expect(second.has('a')).toBe(true)
    expect((await second.get('a'))?.bytes).toEqual(bytes(1))
  })

  it('sweeps files the index does not name, and forgets what was removed from disk', async () => {
    const cache = await open(10_000_000)
    await cache.put('a', bytes(1), 'image/png')
    await cache.put('big', bytes(2, BIG), 'image/jpeg')
    await cache.close()
    const orphan = path.join(dir, 'blobs', 'ff')
    await mkdir(orphan, { recursive: true })
    await writeFile(path.join(orphan, 'f'.repeat(64)), bytes(9))
    await writeFile(path.join(dir, 'packs', '999.pack'), bytes(9))
    const reopened = await open(10_000_000)
    expect(await onDisk('blobs')).toEqual({ files: 1, bytes: BIG })
    expect(await onDisk('packs')).toEqual({ files: 1, bytes: 100 })
    await rm(path.join(dir, 'blobs'), { recursive: true })
    await rm(path.join(dir, 'packs'), { recursive: true })
    expect(await reopened.get('a')).toBeNull()
    expect(await reopened.get('big')).toBeNull()
    expect(reopened.info().entries).toBe(0)
    // Their folders went too: the next writes make them again.
    await reopened.put('a', bytes(1), 'image/png')
    await reopened.put('big', bytes(2, BIG), 'image/jpeg')
    expect((await reopened.get('a'))?.bytes).toEqual(bytes(1))
    expect((await reopened.get('big'))?.bytes).toEqual(bytes(2, BIG))
  })

  it('forgets thumbnails whose bytes did not reach the disk (a crash), and keeps the rest', async () => {
    const cache = await open(10_000)
    await cache.put('a', bytes(1), 'image/png')
    await cache.put('b', bytes(2), 'image/png')
    await cache.put('c', bytes(3), 'image/png')
    await cache.close()
    const pack = path.join(dir, 'packs', (await readdir(path.join(dir, 'packs')))[0])
    // The index names all three; the pack lost its tail and the middle one was damaged.
    await truncate(pack, 250)
    const damaged = await open(10_000)
    expect(damaged.has('c')).toBe(false)
    expect((await damaged.get('a'))?.bytes).toEqual(bytes(1))
    await writeFile(pack, bytes(0xee, 100), { flag: 'r+' })
    expect(await damaged.get('a')).toBeNull()
    expect((await damaged.get('b'))?.bytes).toEqual(bytes(2))
    expect(damaged.info()).toMatchObject({ entries: 1, bytes: 100 })
  })

  it('writes appends in batches, and after a crash its index names only bytes on disk', async () => {
    const cache = await open(10_000_000)
    const thumb = (i: number) => {
      const b = bytes(i % 256, 1000)
      b.writeUInt32BE(i)
      return b
    }
    // 300 KB of thumbnails: past a batch (256 KiB), so most are on disk without a flush.
    for (let i = 0; i < 300; i++) await cache.put(`t${i}`, thumb(i), 'image/png')
    expect((await onDisk('packs')).bytes).toBeGreaterThanOrEqual(256 * 1024)
    expect((await onDisk('packs')).bytes).toBeLessThan(300 * 1000)
    await cache.flush()
    expect(await onDisk('packs')).toEqual({ files: 1, bytes: 300 * 1000 })
    // More appends wait in memory; the process dies before any flush.
    for (let i = 300; i < 310; i++) await cache.put(`t${i}`, thumb(i), 'image/png')
    const after = await ImageCache.open(dir, { capBytes: 10_000_000 })
    expect(after.info()).toMatchObject({ entries: 300, bytes: 300 * 1000 })
    expect((await after.get('t299'))?.bytes).toEqual(thumb(299))
    expect(after.has('t300')).toBe(false)
    // A blob read back before its batch was written comes from the disk all the same.
    await cache.put('fresh', bytes(7, 1000), 'image/png')
    expect((await cache.get('fresh'))?.bytes).toEqual(bytes(7, 1000))
    await after.close()
  })

  it('reads an index of version 1, whose blobs are all files', async () => {
    const hash = createHash('sha256').update(bytes(4)).digest('hex')
    await mkdir(path.join(dir, 'blobs', hash.slice(0, 2)), { recursive: true })
    await writeFile(path.join(dir, 'blobs', hash.slice(0, 2), hash), bytes(4))
    const entry = { key: 'old', hash, size: 100, contentType: 'image/png', lastUsed: 1 }
    await writeFile(path.join(dir, 'index.json'), JSON.stringify({ version: 1, entries: [entry] }))
    const cache = await open(10_000)
    expect(await cache.get('old')).toEqual({ bytes: bytes(4), contentType: 'image/png' })
  })

  it('stores a full-size image (its own file, written asynchronously) as exactly as a thumbnail', async () => {
    const cache = await open(10_000_000)
    const big = Buffer.alloc(3 * 1024 * 1024, 5)
    await cache.put('c/j/s1/full', big, 'image/jpeg')
    await cache.put('c/j/s1/thumb', bytes(6), 'image/jpeg')
    expect((await cache.get('c/j/s1/full'))?.bytes.equals(big)).toBe(true)
    expect((await cache.get('c/j/s1/thumb'))?.bytes).toEqual(bytes(6))
    expect((await onDisk('blobs')).files).toBe(1)
    expect((await onDisk('packs')).files).toBe(1)
  })

  it('writes into a shard folder removed since it was last used', async () => {
    const cache = await open(100_000_000)
    const shard = (b: Buffer) => createHash('sha256').update(b).digest('hex').slice(0, 2)
    const first = bytes(1, BIG)
    // Other bytes in the same shard folder, so the second write goes where the first did.
    let second = bytes(2, BIG)
    while (shard(second) !== shard(first)) second = bytes(2, second.length + 1)
    await cache.put('a', first, 'image/png')
    await rm(path.join(dir, 'blobs', shard(first)), { recursive: true })
    await cache.put('b', second, 'image/png')
    expect((await cache.get('b'))?.bytes).toEqual(second)
  })

  it('writes each change to the journal, not the whole index, and a crash keeps what was written', async () => {
    const cache = await open(10_000)
    await cache.put('a', bytes(1), 'image/png')
    await cache.put('b', bytes(2), 'image/png')
    await cache.put('c', bytes(3), 'image/png')
    await cache.flush()
    const journal = () => readFile(path.join(dir, 'index-0.log'), 'utf8')
    expect((await journal()).trim().split('\n')).toHaveLength(3)
    await expect(stat(path.join(dir, 'index.json'))).rejects.toThrow()
    // 'a' becomes the most recent, 'b' goes, 'd' comes: three more lines, nothing rewritten.
    await cache.get('a')
    await cache.put('d', bytes(4), 'image/png')
    await cache.removePrefix('b')
    await cache.flush()
    expect((await journal()).trim().split('\n')).toHaveLength(6)
    // The process dies here (no close); the next start reads the journal.
    const after = await ImageCache.open(dir, { capBytes: 300, now: () => ++time })
    opened.push(after)
    expect(after.info()).toMatchObject({ entries: 3, bytes: 300 })
    expect(after.has('b')).toBe(false)
    // 'c' is now the least recently used, so it goes first.
    await after.put('e', bytes(5), 'image/png')
    expect(after.has('c')).toBe(false)
    expect((await after.get('a'))?.bytes).toEqual(bytes(1))
    expect((await after.get('d'))?.bytes).toEqual(bytes(4))
  })

  it('ignores a journal line cut short by a crash', async () => {
    const cache = await open(10_000)
    await cache.put('a', bytes(1), 'image/png')
    await cache.put('b', bytes(2), 'image/png')
    await cache.close()
    await appendFile(path.join(dir, 'index-0.log'), '{"key":"c","hash":"ab')
    const after = await open(10_000)
    expect(after.info()).toMatchObject({ entries: 2, bytes: 200 })
    expect((await after.get('b'))?.bytes).toEqual(bytes(2))
    // The next write starts afresh rather than after the cut line.
    await after.put('c', bytes(3), 'image/png')
    await after.close()
    const again = await open(10_000)
    expect(again.info()).toMatchObject({ entries: 3, bytes: 300 })
  })

  it('writes every key after a write that failed, not just what changed since', async () => {
    const cache = await open(10_000)
    await cache.put('a', bytes(1), 'image/png')
    await cache.flush()
    // The folder removed behind its back: the journal cannot be written.
    await rm(dir, { recursive: true })
    await cache.put('b', bytes(2), 'image/png')
    await expect(cache.flush()).rejects.toThrow()
    await mkdir(dir, { recursive: true })
    await cache.put('c', bytes(3), 'image/png')
    await cache.flush()
    const snapshot = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'))
    expect(snapshot.entries.map((e: { key: string }) => e.key).sort()).toEqual(['a', 'b', 'c'])
  })

  it('rewrites the index once the journal outgrows it, and then reads only the journal it names', async () => {
    const cache = await open(10_000_000)
    for (let i = 0; i < 600; i++) await cache.put(`t/${i}/`, bytes(i % 256, 10), 'image/png')
    await cache.flush()
    const journal = await readFile(path.join(dir, 'index-0.log'), 'utf8')
    for (let i = 600; i < 1200; i++) await cache.put(`t/${i}/`, bytes(i % 256, 10), 'image/png')
    for (let i = 0; i < 100; i++) await cache.removePrefix(`t/${i * 2}/`)
    await cache.flush()
    const snapshot = JSON.parse(await readFile(path.join(dir, 'index.json'), 'utf8'))
    expect(snapshot).toMatchObject({ version: 2, journal: 1 })
    expect(snapshot.entries).toHaveLength(1100)
    expect(await readdir(dir)).not.toContain('index-0.log')
    // A crash after the snapshot but before the old journal went: it is not read, and goes.
    await writeFile(path.join(dir, 'index-0.log'), journal)
    const after = await ImageCache.open(dir, { capBytes: 10_000_000 })
    opened.push(after)
    // 256 different fills: the 1,100 keys name 256 blobs of 10 bytes.
    expect(after.info()).toMatchObject({ entries: 1100, bytes: 2560 })
    expect(await readdir(dir)).not.toContain('index-0.log')
    expect(after.has('t/0/')).toBe(false)
    expect(after.has('t/1/')).toBe(true)
    expect((await after.get('t/1199/'))?.bytes).toEqual(bytes(1199 % 256, 10))
  })
})
