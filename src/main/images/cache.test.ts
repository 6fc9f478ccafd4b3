import { createHash } from 'node:crypto'
import { mkdtemp, readdir, rm, writeFile, mkdir } from 'node:fs/promises'
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
afterEach(async () => {
  await rm(dir, { recursive: true, force: true })
})

const open = (capBytes: number) => ImageCache.open(dir, { capBytes, now: () => ++time })
const bytes = (fill: number, size = 100) => Buffer.alloc(size, fill)

async function blobCount(): Promise<number> {
  let count = 0
  for (const shard of await readdir(path.join(dir, 'blobs')))
    count += (await readdir(path.join(dir, 'blobs', shard))).length
  return count
}

describe('ImageCache', () => {
  it('stores and serves bytes with their content type', async () => {
    const cache = await open(10_000)
    await cache.put('c/j/s1/thumb', bytes(1), 'image/png')
    expect(await cache.get('c/j/s1/thumb')).toEqual({ bytes: bytes(1), contentType: 'image/png' })
    expect(await cache.get('c/j/s2/thumb')).toBeNull()
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
    expect(await blobCount()).toBe(3)
  })

  it('stores identical bytes once and counts them once', async () => {
    const cache = await open(1000)
    await cache.put('x/thumb', bytes(7), 'image/jpeg')
    await cache.put('y/thumb', bytes(7), 'image/jpeg')
    expect(cache.info()).toMatchObject({ bytes: 100, entries: 2 })
    expect(await blobCount()).toBe(1)
    await cache.removePrefix('x/')
    expect(await blobCount()).toBe(1)
    await cache.removePrefix('y/')
    expect(await blobCount()).toBe(0)
    expect(cache.info().bytes).toBe(0)
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

  it('sweeps blobs the index does not name, and forgets blobs removed from disk', async () => {
    const cache = await open(1000)
    await cache.put('a', bytes(1), 'image/png')
    await cache.close()
    const orphan = path.join(dir, 'blobs', 'ff')
    await mkdir(orphan, { recursive: true })
    await writeFile(path.join(orphan, 'f'.repeat(64)), bytes(9))
    const reopened = await open(1000)
    expect(await blobCount()).toBe(1)
    await rm(path.join(dir, 'blobs'), { recursive: true })
    expect(await reopened.get('a')).toBeNull()
    expect(reopened.info().entries).toBe(0)
    // Its shard folders went too: the next write makes them again.
    await reopened.put('a', bytes(1), 'image/png')
    expect((await reopened.get('a'))?.bytes).toEqual(bytes(1))
  })

  it('stores a full-size image (written asynchronously) as exactly as a thumbnail', async () => {
    const cache = await open(10_000_000)
    const big = Buffer.alloc(3 * 1024 * 1024, 5)
    await cache.put('c/j/s1/full', big, 'image/jpeg')
    await cache.put('c/j/s1/thumb', bytes(6), 'image/jpeg')
    expect((await cache.get('c/j/s1/full'))?.bytes.equals(big)).toBe(true)
    expect((await cache.get('c/j/s1/thumb'))?.bytes).toEqual(bytes(6))
    expect(await blobCount()).toBe(2)
  })

  it('writes into a shard folder removed since it was last used', async () => {
    const cache = await open(100_000)
    const shard = (b: Buffer) => createHash('sha256').update(b).digest('hex').slice(0, 2)
    const first = bytes(1)
    // Other bytes in the same shard folder, so the second write goes where the first did.
    let second = bytes(2, 1)
    while (shard(second) !== shard(first)) second = bytes(2, second.length + 1)
    await cache.put('a', first, 'image/png')
    await rm(path.join(dir, 'blobs', shard(first)), { recursive: true })
    await cache.put('b', second, 'image/png')
    expect((await cache.get('b'))?.bytes).toEqual(second)
  })
})
