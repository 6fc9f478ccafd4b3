import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import { SIDES, loadThumbs, openStore, thumbKey, type SideName } from './image-store-sides'

/**
 * The image cache's storage: today's pack files and index journal (the real `ImageCache`)
 * against a prototype on SQLite (`image-store-sides.ts`), synchronous=FULL (as durable as the
 * cache: survives a power cut) and NORMAL (survives a killed process only).
 * (a) Storing 10,000 real JPEG thumbnails in chunks of 100, each chunk durable before the next:
 *     wall time and this process's CPU. (b) Reading 1,000 random thumbnails back, per read
 *     p50/p95, warm (the store that wrote them) and after reopening (the open's time shown; the
 *     OS page cache is not dropped, that needs root and hits everyone on the machine).
 * (c) A child killed with SIGKILL while writing, the store reopened: every thumbnail reported
 *     stored must read back with its bytes.
 * The sides run interleaved, one round of each after another (order reversed every round), so
 * load from other work on the machine hits them alike, after one untimed round of each; the
 * table shows medians and the spread.
 * IMAGE_STORE_ROUNDS and IMAGE_STORE_KILLS change the counts.
 */
const COUNT = 10_000
const CHUNK = 100
const READS = 1_000
const ROUNDS = Number(process.env.IMAGE_STORE_ROUNDS ?? 5)
const KILLS = Number(process.env.IMAGE_STORE_KILLS ?? 3)
const BASELINE: SideName = 'packs'
const LABEL: Record<SideName, string> = {
  packs: 'packs (today)',
  'sqlite-full': 'SQLite FULL',
  'sqlite-normal': 'SQLite NORMAL'
}

interface Round {
  writeMs: number
  writeCpuMs: number
  warm: { p50: number; p95: number }
  openMs: number
  cold: { p50: number; p95: number }
  diskBytes: number
}

const quantile = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? NaN
const median = (xs: number[]) =>
  quantile(
    [...xs].sort((a, b) => a - b),
    0.5
  )

/** A seeded shuffle's first `n`: the same random keys for every side. */
function randomIndexes(n: number, seed: number): number[] {
  let s = seed
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31), s / 2 ** 31)
  return Array.from({ length: n }, () => Math.floor(next() * COUNT))
}

async function readBack(
  get: (key: string) => Promise<Buffer | null>,
  thumbs: Buffer[],
  picks: number[]
): Promise<{ p50: number; p95: number }> {
  const times: number[] = []
  for (const i of picks) {
    const start = performance.now()
    const bytes = await get(thumbKey(i))
    times.push(performance.now() - start)
    if (!bytes?.equals(thumbs[i] as Buffer)) throw new Error(`thumbnail ${i} read back wrong`)
  }
  times.sort((a, b) => a - b)
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95) }
}

async function duBytes(dir: string): Promise<number> {
  const { readdir, stat } = await import('node:fs/promises')
  let total = 0
  for (const name of await readdir(dir, { recursive: true })) {
    const info = await stat(path.join(dir, name))
    if (info.isFile()) total += info.size
  }
  return total
}

async function oneRound(side: SideName, thumbs: Buffer[], seed: number): Promise<Round> {
  const dir = await mkdtemp(path.join(tmpdir(), `tagdeck-image-store-${side}-`))
  try {
    let store = await openStore(side, dir)
    const cpu = process.cpuUsage()
    const start = performance.now()
    for (let from = 0; from < COUNT; from += CHUNK) {
      const chunk = thumbs
        .slice(from, from + CHUNK)
        .map((bytes, i) => ({ key: thumbKey(from + i), bytes }))
      await store.putChunk(chunk)
    }
    const writeMs = performance.now() - start
    const used = process.cpuUsage(cpu)
    const writeCpuMs = (used.user + used.system) / 1000
    const warm = await readBack((k) => store.get(k), thumbs, randomIndexes(READS, seed))
    await store.close()
    const opening = performance.now()
    store = await openStore(side, dir)
    const openMs = performance.now() - opening
    const cold = await readBack((k) => store.get(k), thumbs, randomIndexes(READS, seed + 1))
    await store.close()
    return { writeMs, writeCpuMs, warm, openMs, cold, diskBytes: await duBytes(dir) }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/**
 * A child storing thumbnails, killed up to 3 ms after it reports `killAt` stored (it is then
 * writing the next chunks: putting, or waiting for an fsync); then the thumbnails it reported
 * stored, read back from the store reopened here.
 */
async function crashOnce(
  side: SideName,
  thumbs: Buffer[],
  killAt: number
): Promise<{ reported: number; wrong: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), `tagdeck-image-crash-${side}-`))
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'image-store-crash.ts'), side, dir, String(COUNT)],
      { stdio: ['ignore', 'pipe', 'inherit'] }
    )
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
    let reported = 0
    let timer: ReturnType<typeof setTimeout> | null = null
    let killed = false
    const lines = createInterface({ input: child.stdout })
    lines.on('line', (line) => {
      const stored = /^stored (\d+)$/.exec(line)
      if (!stored) return
      // Every line that came out before the kill names a durable chunk, even one read after it.
      reported = Math.max(reported, Number(stored[1]))
      if (reported >= killAt)
        timer ??= setTimeout(() => {
          killed = child.kill('SIGKILL')
        }, Math.random() * 3)
    })
    await exited
    if (!killed) throw new Error(`the ${side} child exited before it was killed`)
    if (reported >= COUNT) throw new Error(`the ${side} child finished before it was killed`)
    const store = await openStore(side, dir)
    let wrong = 0
    for (let i = 0; i < reported; i++) {
      const bytes = await store.get(thumbKey(i))
      if (!bytes?.equals(thumbs[i] as Buffer)) wrong++
    }
    await store.close()
    return { reported, wrong }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

function table(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)))
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')
  console.log(fmt(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const row of rows) console.log(fmt(row))
}

async function main(): Promise<void> {
  const { thumbs, source } = await loadThumbs(COUNT)
  const bytes = thumbs.reduce((n, t) => n + t.length, 0)
  const sizes = thumbs.map((t) => t.length).sort((a, b) => a - b)
  console.log(
    `${COUNT.toLocaleString('en')} JPEG thumbnails from ${source}: ${(bytes / 2 ** 20).toFixed(1)} MiB, ` +
      `median ${quantile(sizes, 0.5)} B (${quantile(sizes, 0.05)}-${quantile(sizes, 0.95)} B for 90%)`
  )

  // One untimed round of each first: the first side to run would pay for compiling the code.
  for (const side of SIDES) await oneRound(side, thumbs, 999)
  const rounds = new Map<SideName, Round[]>(SIDES.map((s) => [s, []]))
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? SIDES : [...SIDES].reverse()
    const line: string[] = []
    for (const side of order) {
      const round = await oneRound(side, thumbs, 1000 + r)
      rounds.get(side)?.push(round)
      line.push(`${side} ${(round.writeMs / 1000).toFixed(2)} s`)
    }
    console.log(`round ${r + 1}: store 10,000: ${line.join(', ')}`)
  }

  const crashes = new Map<SideName, { reported: number; wrong: number }[]>(
    SIDES.map((s) => [s, []])
  )
  for (let k = 0; k < KILLS; k++) {
    for (const side of SIDES) {
      // Somewhere between the 10th and the 80th chunk of the 100.
      const killAt = CHUNK * (10 + Math.floor(Math.random() * 70))
      const result = await crashOnce(side, thumbs, killAt)
      crashes.get(side)?.push(result)
    }
  }

  const pick = (side: SideName, f: (r: Round) => number) => (rounds.get(side) ?? []).map(f)
  const cell = (xs: number[], digits: number, unit: string) => {
    const sorted = [...xs].sort((a, b) => a - b)
    const m = median(xs).toFixed(digits)
    return `${m} ${unit} (${sorted[0]?.toFixed(digits)}-${sorted[sorted.length - 1]?.toFixed(digits)})`
  }
  const measures: [string, (r: Round) => number, number, string][] = [
    ['store 10,000 in chunks of 100, each durable: wall', (r) => r.writeMs / 1000, 2, 's'],
    ['the same: CPU of this process', (r) => r.writeCpuMs / 1000, 2, 's'],
    ['read 1,000 random, warm: p50 per read', (r) => r.warm.p50 * 1000, 0, 'µs'],
    ['read 1,000 random, warm: p95 per read', (r) => r.warm.p95 * 1000, 0, 'µs'],
    ['reopen the store', (r) => r.openMs, 1, 'ms'],
    ['read 1,000 random after reopening: p50', (r) => r.cold.p50 * 1000, 0, 'µs'],
    ['read 1,000 random after reopening: p95', (r) => r.cold.p95 * 1000, 0, 'µs'],
    ['on disk', (r) => r.diskBytes / 2 ** 20, 1, 'MiB']
  ]
  console.log()
  const others = SIDES.filter((s) => s !== BASELINE)
  table(
    [
      `median (min-max) of ${ROUNDS} rounds`,
      LABEL[BASELINE],
      ...others.flatMap((s) => [LABEL[s], `ratio`])
    ],
    measures.map(([name, f, digits, unit]) => {
      const base = median(pick(BASELINE, f))
      return [
        name,
        cell(pick(BASELINE, f), digits, unit),
        ...others.flatMap((s) => [
          cell(pick(s, f), digits, unit),
          `${(median(pick(s, f)) / base).toFixed(2)}x`
        ])
      ]
    })
  )
  console.log('ratio: SQLite over packs (below 1: SQLite is faster or smaller)')
  console.log()
  table(
    ['SIGKILL while writing, then reopened', ...SIDES.map((s) => LABEL[s])],
    [
      [
        `thumbnails reported stored (${KILLS} kills each)`,
        ...SIDES.map((s) => (crashes.get(s) ?? []).map((c) => c.reported).join(', '))
      ],
      [
        'of those, missing or wrong after reopening',
        ...SIDES.map((s) => String((crashes.get(s) ?? []).reduce((n, c) => n + c.wrong, 0)))
      ]
    ]
  )
  const lost = SIDES.flatMap((s) => crashes.get(s) ?? []).some((c) => c.wrong > 0)
  if (lost) {
    console.error('image-store: a thumbnail reported stored was lost in a crash')
    process.exit(1)
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
