import type { AddressInfo } from 'node:net'
import path from 'node:path'
import { z } from 'zod'
import { createFileLogger } from '../main/log/logger'
import { buildApp } from './app'
import { REGION } from './cli-args'
import { closeServer, trackConnections } from './connections'
import type { ServiceContext } from './context'
import { Credentials } from './credentials'
import { getMeta, openDatabase } from './db'
import { ensureDemo, type DemoDefects, type DemoInfo } from './demo'
import { SourceSigner } from './image-urls'
import { ImageFiles } from './images'
import {
  makePrivateFolder,
  ownFolder,
  prepareDatabaseFile,
  writePrivateFile
} from './private-files'
import { ServedHosts } from './served-hosts'
import { SignInLimits } from './sign-in-limits'
import { Store } from './store'

export type { DemoInfo } from './demo'

/**
 * The local annotation service, started in-process (tests, e2e fixtures, bench) or by cli.ts.
 * Data folder layout: `tagdeck.db` (SQLite, WAL), `images/`, `thumbs/`, `logs/`, `demo.json`
 * and `demo-defects.json` (the defects and near-duplicate copies planted in the demo detection job)
 * when started with `demo`.
 */
export interface ServiceOptions {
  dataDir: string
  /** 0 = an ephemeral port. */
  port?: number
  /** Default 127.0.0.1; 0.0.0.0 serves the LAN. */
  host?: string
  /** Create (once) and use the demo workspace; writes `dataDir/demo.json`. */
  demo?: boolean
  /** Images per demo job (default 600 classification, 400 detection). */
  demoSize?: number
  /** Images in each labeling task of the demo's new-version dataset (default 60). */
  demoTaskSize?: number
  /** The cloud region the demo poses as: its project is named after it (`--region`). */
  region?: string
  /** Registers `POST /__test__/faults` (see faults.ts). Never on by default. */
  testFaults?: boolean
  /** Request logs on stderr and in the log file. */
  log?: boolean
  /**
   * Base URL clients use to reach this service (reverse proxy, LAN name); default: as reached.
   * AK/SK signatures may name its host as well as the listening address (served-hosts.ts).
   */
  publicUrl?: string
  /** Test-only clock (ms since epoch): signature dates, token and image URL expiry. */
  now?: () => number
  /**
   * A folder where drawn demo images are kept for any service to copy instead of drawing them
   * again (`ImageFiles`): the e2e run shares one between its tests' services.
   */
  renderCache?: string
}

export interface RunningService {
  /** http://127.0.0.1:PORT (or the host it listens on). */
  url: string
  port: number
  demo: DemoInfo | null
  /** The defects planted in the demo detection job (also in `demo-defects.json`). */
  demoDefects: DemoDefects | null
  close(): Promise<void>
}

const Options = z.object({
  dataDir: z.string().min(1),
  port: z.number().int().min(0).max(65535).default(0),
  host: z.string().min(1).default('127.0.0.1'),
  demo: z.boolean().default(false),
  demoSize: z.number().int().min(1).max(1_000_000).optional(),
  demoTaskSize: z.number().int().min(1).max(200_000).optional(),
  region: z.string().regex(REGION).optional(),
  testFaults: z.boolean().default(false),
  log: z.boolean().default(false),
  renderCache: z.string().min(1).optional(),
  publicUrl: z
    .url({ protocol: /^https?$/ })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional()
})

/** How a listening host reads in a URL: wildcard binds are reached on loopback. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::' || host === '') return '127.0.0.1'
  return host.includes(':') ? `[${host}]` : host
}

export function startService(
  options: ServiceOptions & { demo?: false }
): Promise<RunningService & { demo: null }>
export function startService(
  options: ServiceOptions & { demo: true }
): Promise<RunningService & { demo: DemoInfo }>
export async function startService(options: ServiceOptions): Promise<RunningService> {
  const opts = Options.parse(options)
  const now = options.now ?? Date.now
  const dataDir = path.resolve(opts.dataDir)
  // Files 0600 and folders 0700 (private-files.ts); a data folder the user made keeps its mode.
  await makePrivateFolder(dataDir)
  for (const folder of ['images', 'thumbs', 'logs']) await ownFolder(path.join(dataDir, folder))
  // Rotating, size-capped and redacted (src/main/log/logger.ts); 5xx answers go to stderr too.
  const log = await createFileLogger({
    dir: path.join(dataDir, 'logs'),
    name: 'service',
    stderr: opts.log ? 'info' : undefined
  })
  const dbFile = path.join(dataDir, 'tagdeck.db')
  let db: ReturnType<typeof openDatabase>
  try {
    prepareDatabaseFile(dbFile)
    db = openDatabase(dbFile)
  } catch (error) {
    log.error(`the database ${dbFile} could not be opened`, error)
    await log.close()
    throw error
  }
  try {
    const store = new Store(db)
    const credentials = new Credentials(db)
    const record = opts.demo
      ? await ensureDemo(db, store, {
          size: opts.demoSize,
          taskSize: opts.demoTaskSize,
          now: now(),
          region: opts.region
        })
      : null
    // A big first build leaves a big WAL: fold it into the database before serving.
    db.pragma('wal_checkpoint(TRUNCATE)')
    let listenUrl = ''
    const urlSecret = getMeta(db, 'url_secret')
    if (!urlSecret) throw new Error('The database has no image URL key')
    const renderCache = opts.renderCache === undefined ? null : path.resolve(opts.renderCache)
    const files = new ImageFiles(dataDir, store, renderCache)
    const hosts = new ServedHosts({
      publicUrl: opts.publicUrl ?? null,
      listenHost: opts.host,
      bound: () => app.server.address() as AddressInfo
    })
    const ctx: ServiceContext = {
      store,
      credentials,
      files,
      urlSecret,
      sources: new SourceSigner(urlSecret),
      now,
      publicUrl: opts.publicUrl ?? null,
      listenUrl: () => listenUrl,
      hosts,
      signIns: new SignInLimits(now),
      report: (message) => {
        process.stderr.write(`${new Date().toISOString()} ${message}\n`)
        log.error(message)
      },
      log
    }
    const app = buildApp(ctx, { testFaults: opts.testFaults, log: opts.log ? log.pino : null })
    const connections = trackConnections(app.server)
    await app.listen({ port: opts.port, host: opts.host })
    const port = (app.server.address() as AddressInfo).port
    listenUrl = `http://${urlHost(opts.host)}:${port}`
    let demo: DemoInfo | null = null
    let demoDefects: DemoDefects | null = null
    if (record) {
      const { defects, ...info } = record
      demo = { endpoint: opts.publicUrl ?? listenUrl, ...info }
      demoDefects = defects ?? null
    }
    if (demo) await writeDemoFile(path.join(dataDir, 'demo.json'), demo)
    if (demoDefects)
      await writePrivateFile(
        path.join(dataDir, 'demo-defects.json'),
        `${JSON.stringify(demoDefects, null, 2)}\n`,
        path.join(dataDir, 'demo-defects.json.tmp')
      )
    log.info(`listening on ${listenUrl}${opts.publicUrl ? ` (public ${opts.publicUrl})` : ''}`)

    let closing: Promise<void> | null = null
    const close = () =>
      (closing ??= (async () => {
        // Stops accepting, lets in-flight requests finish (and image work whose client left),
        // ending idle connections at once, then closes the database.
        await closeServer(() => app.close(), connections)
        await files.settle()
        db.pragma('optimize')
        db.close()
        log.info('closed')
        await log.close()
      })())
    return { url: listenUrl, port, demo, demoDefects, close }
  } catch (error) {
    if (db.open) db.close()
    log.error('the service could not start', error)
    await log.close()
    throw error
  }
}

/** Rewritten on every start: the port may have changed. Private: it holds the demo secrets. */
async function writeDemoFile(file: string, demo: DemoInfo): Promise<void> {
  const { endpoint, projectId, ak, sk, user, password, domain, datasets, newVersion } = demo
  const json = { endpoint, projectId, ak, sk, user, password, domain, datasets, newVersion }
  await writePrivateFile(file, `${JSON.stringify(json, null, 2)}\n`, `${file}.tmp`)
}
