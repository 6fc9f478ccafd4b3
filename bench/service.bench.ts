import Database from 'better-sqlite3'
import { mkdtemp, rm } from 'node:fs/promises'
import { Agent, request } from 'node:http'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { z } from 'zod'
import { Store, type SampleFilter } from '../src/service/store'
import { startServiceProcess } from './service-process'

/**
 * The local annotation service at 100,000 samples a job: latency over loopback (a token, one
 * keep-alive connection, the body read and parsed) of ListSamples with a tag filter, with
 * `__NONE__`, a deep page (offset 900, limit 100), DescribeSample and DeleteSamples of 100 ids,
 * each next to the same store call run directly on SQLite in this process.
 * The service runs as its own process (the CLI), as it does for users.
 */
const SIZE = 100_000
const WARMUP = 30
const RUNS = 300
const DELETE_RUNS = 40
const TARGET_P50_MS = 5
const TARGET_RATIO = 3
const TARGET_READY_S = 60
const THUMB = 'image/resize,m_lfit,h_200'

const agent = new Agent({ keepAlive: true, maxSockets: 1 })

function call(
  base: URL,
  method: string,
  target: string,
  headers: Record<string, string>,
  body?: string
): Promise<{ status: number; headers: Record<string, unknown>; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: base.hostname, port: base.port, method, path: target, agent, headers },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown
          })
        )
      }
    )
    req.on('error', reject)
    req.end(body)
  })
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN
}

async function measure(runs: number, warmup: number, op: (i: number) => unknown) {
  for (let i = 0; i < warmup; i++) await op(i)
  const times: number[] = []
  for (let i = 0; i < runs; i++) {
    const start = performance.now()
    await op(warmup + i)
    times.push(performance.now() - start)
  }
  times.sort((a, b) => a - b)
  return { p50: percentile(times, 50), p99: percentile(times, 99) }
}

interface Row {
  name: string
  http: { p50: number; p99: number }
  bare: { p50: number; p99: number }
  /** 'page': both targets; 'batch': the ratio; 'single': neither (see the note under the table). */
  judge: 'page' | 'batch' | 'single'
}

function table(rows: Row[]): void {
  const ms = (n: number) => `${n.toFixed(2)} ms`
  const head = [
    'operation',
    'HTTP p50',
    'HTTP p99',
    'SQLite p50',
    'SQLite p99',
    'ratio p50',
    'verdict'
  ]
  const lines = rows.map((r) => {
    const ratio = r.http.p50 / r.bare.p50
    const fast = r.judge !== 'page' || r.http.p50 < TARGET_P50_MS
    const close = r.judge === 'single' || ratio < TARGET_RATIO
    const verdict =
      r.judge === 'single' ? 'see note' : fast && close ? 'ok' : fast ? 'MISS ratio' : 'MISS p50'
    return [
      r.name,
      ms(r.http.p50),
      ms(r.http.p99),
      ms(r.bare.p50),
      ms(r.bare.p99),
      `${ratio.toFixed(2)}x`,
      verdict
    ]
  })
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)))
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ')
  console.log(fmt(head))
  console.log(widths.map((w) => '-'.repeat(w)).join('  '))
  for (const line of lines) console.log(fmt(line))
  console.log(
    `targets: p50 < ${TARGET_P50_MS} ms for a 100-item page over loopback; HTTP+JSON < ${TARGET_RATIO}x the bare store call (100-item operations)`
  )
  console.log(
    'note: DescribeSample reads one row (about 10 µs bare), so its time is the fixed round trip above, not overhead per row'
  )
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-service-bench-'))
  const started = performance.now()
  const service = await startServiceProcess(dir, SIZE)
  try {
    const { demo } = service
    const readySeconds = (performance.now() - started) / 1000
    console.log(
      `service with two ${SIZE.toLocaleString('en')}-sample demo jobs ready in ${readySeconds.toFixed(1)} s ` +
        `(target < ${TARGET_READY_S} s): ${readySeconds < TARGET_READY_S ? 'ok' : 'MISS'}`
    )
    const base = new URL(demo.endpoint)
    const job = demo.datasets.find((d) => d.type === 0)?.id ?? ''
    const iam = await call(
      base,
      'POST',
      '/v3/auth/tokens?nocatalog=true',
      { 'Content-Type': 'application/json' },
      JSON.stringify({
        auth: {
          identity: {
            methods: ['password'],
            password: {
              user: { name: demo.user, password: demo.password, domain: { name: demo.domain } }
            }
          },
          scope: { project: { id: demo.projectId } }
        }
      })
    )
    const token = z.string().parse(iam.headers['x-subject-token'])
    const headers = { 'Content-Type': 'application/json', 'X-Auth-Token': token }

    // The same store the service uses, on its own connection to the same file.
    const file = path.join(dir, 'tagdeck.db')
    const readDb = new Database(file, { readonly: true })
    const store = new Store(readDb)
    const dataset = store.dataset(demo.projectId, job)
    if (!dataset || dataset.sampleCount !== SIZE) throw new Error('the bench job is not there')
    const label =
      [...store.labels(job)].sort((a, b) => b.sampleCount - a.sampleCount)[0]?.name ?? ''
    const bare = (filter: SampleFilter, page: number) => {
      const row = store.dataset(demo.projectId, job)
      if (!row) throw new Error('no dataset')
      store.count(row, filter)
      return store.samples(
        job,
        store.pageIds({ datasetId: job, taskId: null }, filter, 'asc', page, 100)
      )
    }
    const samples = `/v2/${demo.projectId}/datasets/${job}/data-annotations/samples`
    const list = (query: Record<string, string>) => async () => {
      const answer = await call(
        base,
        'GET',
        `${samples}?${new URLSearchParams({ limit: '100', process_parameter: THUMB, ...query })}`,
        headers
      )
      if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`)
    }
    const ids = store.pageIds({ datasetId: job, taskId: null }, { kind: 'all' }, 'asc', 500, 100)
    const rows: Row[] = []
    const floor = await measure(RUNS, WARMUP, () => call(base, 'GET', '/health', {}))
    console.log(
      `loopback floor, GET /health (no auth, no database): p50 ${floor.p50.toFixed(2)} ms, p99 ${floor.p99.toFixed(2)} ms`
    )

    rows.push({
      name: `ListSamples label_name=${label}, 100 a page`,
      http: await measure(RUNS, WARMUP, (i) =>
        list({ label_name: label, offset: String(i % 20) })()
      ),
      bare: await measure(RUNS, WARMUP, (i) => bare({ kind: 'label', label }, i % 20)),
      judge: 'page'
    })
    rows.push({
      name: 'ListSamples sample_state=__NONE__',
      http: await measure(RUNS, WARMUP, (i) =>
        list({ sample_state: '__NONE__', offset: String(i % 20) })()
      ),
      bare: await measure(RUNS, WARMUP, (i) => bare({ kind: 'untagged' }, i % 20)),
      judge: 'page'
    })
    rows.push({
      name: 'ListSamples offset=900 limit=100',
      http: await measure(RUNS, WARMUP, () => list({ offset: '900' })()),
      bare: await measure(RUNS, WARMUP, () => bare({ kind: 'all' }, 900)),
      judge: 'page'
    })
    rows.push({
      name: 'DescribeSample',
      http: await measure(RUNS, WARMUP, async (i) => {
        const answer = await call(base, 'GET', `${samples}/${ids[i % ids.length]}`, headers)
        if (answer.status !== 200) throw new Error(`HTTP ${answer.status}`)
      }),
      bare: await measure(RUNS, WARMUP, (i) => store.sample(job, ids[i % ids.length] ?? '')),
      judge: 'single'
    })

    // Deletes last: a write from this process would leave the service's page anchors behind.
    const victims = store.pageIds(
      { datasetId: job, taskId: null },
      { kind: 'all' },
      'asc',
      0,
      100 * (2 * DELETE_RUNS + 4)
    )
    const batch = (i: number) => victims.slice(i * 100, i * 100 + 100)
    const httpDeletes = await measure(DELETE_RUNS, 2, async (i) => {
      const answer = await call(
        base,
        'POST',
        `${samples}/delete`,
        headers,
        JSON.stringify({ samples: batch(i) })
      )
      if (JSON.stringify(answer.json) !== '{"success":true}')
        throw new Error(JSON.stringify(answer.json))
    })
    readDb.close()
    const writeDb = new Database(file)
    writeDb.pragma('synchronous = FULL')
    writeDb.pragma('busy_timeout = 5000')
    const writer = new Store(writeDb)
    const bareDeletes = await measure(DELETE_RUNS, 2, (i) => {
      const { rows: gone } = writer.deleteSamples(job, batch(DELETE_RUNS + 2 + i))
      if (gone.length !== 100) throw new Error(`deleted ${gone.length}`)
    })
    writeDb.close()
    rows.push({
      name: 'DeleteSamples, 100 ids',
      http: httpDeletes,
      bare: bareDeletes,
      judge: 'batch'
    })
    console.log()
    table(rows)
  } finally {
    agent.destroy()
    await service.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
