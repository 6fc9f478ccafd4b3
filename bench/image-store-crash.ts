import { SIDES, loadThumbs, openStore, thumbKey, type SideName } from './image-store-sides'

/**
 * For `image-store.bench.ts`'s crash rows: stores `count` thumbnails in chunks of 100 into a
 * store of kind `side` in `dir`, and prints `stored <n>` once the first n are durable. The bench
 * kills it (SIGKILL: nothing closed, nothing flushed) while it writes the next chunk, then
 * checks that every thumbnail reported stored reads back with its bytes.
 * Usage: tsx bench/image-store-crash.ts <side> <dir> <count>
 */
const CHUNK = 100

async function main(): Promise<void> {
  const [side, dir, count] = process.argv.slice(2)
  if (!SIDES.includes(side as SideName) || !dir || !count)
    throw new Error(`usage: image-store-crash <${SIDES.join('|')}> <dir> <count>`)
  const { thumbs } = await loadThumbs(Number(count))
  const store = await openStore(side as SideName, dir)
  process.stdout.write('ready\n')
  for (let from = 0; from < thumbs.length; from += CHUNK) {
    const chunk = thumbs.slice(from, from + CHUNK).map((bytes, i) => ({
      key: thumbKey(from + i),
      bytes
    }))
    await store.putChunk(chunk)
    process.stdout.write(`stored ${from + chunk.length}\n`)
  }
  // Kept alive, its store open, until killed.
  setInterval(() => {}, 60_000)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
