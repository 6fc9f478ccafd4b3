import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { chromium } from '@playwright/test'
import { chromiumExecutable } from '../e2e/browser'
import { harnessFile, openHarnessPage, type HarnessCall } from './harness-page'
import { LIVE_SIZE, liveRows } from './offline-live'
import { median, p95 } from './stats'

// Part 1, the offline layer's IndexedDB cost, as ratios to raw IndexedDB doing the same work:
// caching 100 pages of 100 samples (the real `storePage`: listing, page, samples, overlay)
// and reading one cached page (`cachedPage`: listing, page, 100 samples, overlay); and, in a
// 100,000-image job cached whole, the read of one sample's cached copy (`cachedSample`: the pages
// holding it found through their `pageIds`) against raw IndexedDB finding its page through a
// multi-entry index of sample ids, as the pages had before schema 6. Runs in
// Chromium with an on-disk profile; without Chromium it falls back to fake-indexeddb in Node
// and says so, because those numbers say little about a real browser.
// Part 2 (`offline-live.ts`): caching a 10,000-image job and syncing 10,000 queued deletions
// through the whole app (Chromium, browser shell, local service), as ratios to the same
// downloads and DeleteSamples calls made directly. OFFLINE_BENCH_LIVE=0 skips it,
// OFFLINE_BENCH_SIZE changes the job size.

const PAGES = 100
const PER_PAGE = 100
const WRITE_ROUNDS = 3
const READS = 300
const READ_TARGET_MS = 5
/** A 100,000-image job cached whole, for finding one sample's cached copy. */
const BIG_PAGES = 1_000
const FINDS = 50

type Harness = {
  dexieWrite(pages: number, perPage: number): Promise<number>
  rawWrite(pages: number, perPage: number): Promise<number>
  dexieRead(page: number, perPage: number): Promise<number>
  rawRead(page: number, perPage: number): Promise<number>
  dexieBigJob(pages: number, perPage: number): Promise<number>
  rawBigJob(pages: number, perPage: number): Promise<number>
  dexieFind(sample: number): Promise<number>
  rawFind(sample: number): Promise<number>
}
type Run = HarnessCall<Harness>

async function inChromium(
  executablePath: string
): Promise<{ run: Run; close: () => Promise<void> }> {
  const profile = mkdtempSync(path.join(tmpdir(), 'tagdeck-bench-'))
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true
  })
  const page = context.pages()[0] ?? (await context.newPage())
  // Its own origin: an on-disk profile, like the app's.
  const run = await openHarnessPage<Harness>(
    page,
    'offline-store.ts',
    'http://tagdeck-bench.localhost/'
  )
  return {
    run,
    close: async () => {
      await context.close()
      rmSync(profile, { recursive: true, force: true })
    }
  }
}

async function inNode(): Promise<{ run: Run; close: () => Promise<void> }> {
  const fake = await import('fake-indexeddb')
  Object.assign(globalThis, { indexedDB: fake.indexedDB, IDBKeyRange: fake.IDBKeyRange })
  const harness = (await import(harnessFile('offline-store.ts'))) as Harness
  const run = ((fn: keyof Harness, ...args: number[]) =>
    (harness[fn] as (...a: number[]) => Promise<number>)(...args)) as Run
  return { run, close: async () => {} }
}

const secs = (x: number) => `${(x / 1000).toFixed(2)} s`
const ms = (x: number) => `${x.toFixed(x < 10 ? 2 : 0)} ms`

/** Part 1: the offline layer's IndexedDB cost against raw IndexedDB. */
async function storeRows(executable: string | undefined, where: string) {
  const { run, close } = executable ? await inChromium(executable) : await inNode()
  try {
    const dexieWrites: number[] = []
    const rawWrites: number[] = []
    for (let round = 0; round < WRITE_ROUNDS; round++) {
      // Alternate so neither side always runs on a warmer or fuller database.
      rawWrites.push(await run('rawWrite', PAGES, PER_PAGE))
      dexieWrites.push(await run('dexieWrite', PAGES, PER_PAGE))
    }
    const dexieReads: number[] = []
    const rawReads: number[] = []
    for (let i = 0; i < READS; i++) {
      const page = 1 + ((i * 37) % PAGES)
      dexieReads.push(await run('dexieRead', page, PER_PAGE))
      rawReads.push(await run('rawRead', page, PER_PAGE))
    }
    await run('dexieBigJob', BIG_PAGES, PER_PAGE)
    await run('rawBigJob', BIG_PAGES, PER_PAGE)
    const dexieFinds: number[] = []
    const rawFinds: number[] = []
    for (let i = 0; i < FINDS; i++) {
      const sample = (i * 7919) % (BIG_PAGES * PER_PAGE)
      dexieFinds.push(await run('dexieFind', sample))
      rawFinds.push(await run('rawFind', sample))
    }
    const write = { dexie: median(dexieWrites), raw: median(rawWrites) }
    const read = { dexie: median(dexieReads), raw: median(rawReads) }
    const rows: [string, number, number, string][] = [
      [
        `write ${PAGES} pages x ${PER_PAGE} samples (median of ${WRITE_ROUNDS})`,
        write.dexie,
        write.raw,
        '—'
      ],
      [`read one cached page (median of ${READS})`, read.dexie, read.raw, `< ${READ_TARGET_MS} ms`],
      ['read one cached page, p95', p95(dexieReads), p95(rawReads), ''],
      [
        `one sample's pages, ${(BIG_PAGES * PER_PAGE).toLocaleString('en')} cached (median of ${FINDS})`,
        median(dexieFinds),
        median(rawFinds),
        '—'
      ]
    ]
    console.log(`offline cache (IndexedDB) — ${where}`)
    console.log('')
    console.log(
      `| ${'measurement'.padEnd(50)} | offline layer | raw IndexedDB | ratio | target   |`
    )
    console.log(`|${'-'.repeat(52)}|---------------|---------------|-------|----------|`)
    for (const [name, ours, raw, target] of rows) {
      console.log(
        `| ${name.padEnd(50)} | ${ms(ours).padStart(13)} | ${ms(raw).padStart(13)} | ${(ours / raw).toFixed(2).padStart(5)} | ${target.padEnd(8)} |`
      )
    }
    console.log('')
    console.log(
      read.dexie < READ_TARGET_MS
        ? `cached page read ${ms(read.dexie)}: within the ${READ_TARGET_MS} ms target`
        : `cached page read ${ms(read.dexie)}: OVER the ${READ_TARGET_MS} ms target`
    )
  } finally {
    await close()
  }
}

async function main() {
  // TAGDECK_BENCH_NODE=1 forces the fake-indexeddb fallback (to check it still runs).
  const executable = process.env['TAGDECK_BENCH_NODE'] ? undefined : chromiumExecutable()
  const where = executable
    ? `Chromium (${executable}), on-disk profile`
    : 'fake-indexeddb in Node: NOT a browser, indicative only'
  if (process.env['OFFLINE_BENCH_STORE'] !== '0') await storeRows(executable, where)
  if (process.env['OFFLINE_BENCH_LIVE'] === '0') return
  console.log('')
  console.log(
    `offline work through the app — a ${LIVE_SIZE.toLocaleString('en')}-image detection job, local service, browser shell, ${executable ?? "Playwright's Chromium"}`
  )
  const live = await liveRows(executable)
  console.log('')
  const width = Math.max(...live.map((row) => row.name.length))
  console.log(
    `| ${'measurement'.padEnd(width)} | Tagdeck   | baseline  | ratio | target      | baseline is`
  )
  console.log(
    `|${'-'.repeat(width + 2)}|-----------|-----------|-------|-------------|------------`
  )
  for (const row of live) {
    const ratio = row.ours / row.baseline
    const target =
      row.target === null
        ? '—'
        : `≤ ${row.target.toFixed(1)}x ${ratio <= row.target ? 'ok' : 'MISS'}`
    console.log(
      `| ${row.name.padEnd(width)} | ${secs(row.ours).padStart(9)} | ${secs(row.baseline).padStart(9)} | ${ratio.toFixed(2).padStart(5)} | ${target.padEnd(11)} | ${row.detail}`
    )
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
