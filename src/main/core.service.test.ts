import { readdir, readFile, rm, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CHANNELS, type ChannelName } from '../shared/channels'
import { imagePath } from '../shared/api'
import type { ConnectionProfile, Dataset, Sample } from '../shared/domain'
import { createMainCore, type MainCore } from './core'
import { useLogger } from './log'
import { logsDirOf } from './log/host'
import { createFileLogger, type FileLogger } from './log/logger'
import { knownSecrets } from './log/secrets'
import { startServiceWorld, type ServiceWorld } from '../../testing/local-service'

// The main process as the renderer sees it: IPC channels, events and images, on the real service.
const ORIGIN = 'app://tagdeck'
const SECRET = 'Typed-Secret/Never+Back=42~'
let world: ServiceWorld
let userData: string
let core: MainCore
let logger: FileLogger
let restoreLog: () => void
const events: { name: string; payload: unknown }[] = []

async function newCore(): Promise<MainCore> {
  const created = await createMainCore({
    version: '0.0.0-test',
    shell: 'browser',
    userDataDir: userData,
    trustedOrigin: (origin) => origin === ORIGIN,
    demoFile: path.join(world.dir, 'service', 'demo.json'),
    net: { sleep: async () => {} }
  })
  created.events.subscribe((name, payload) => events.push({ name, payload }))
  return created
}

async function call(channel: string, input?: unknown, on: MainCore = core) {
  return on.router.dispatch(channel, input, { origin: ORIGIN })
}

async function value<T>(channel: ChannelName, input?: unknown, on?: MainCore): Promise<T> {
  const result = await call(channel, input, on)
  if (!result.ok) throw new Error(`${channel}: ${JSON.stringify(result.error)}`)
  return result.value as T
}

/** Resolves when an event matching `test` has been (or is later) emitted. */
function eventually(test: (e: { name: string; payload: unknown }) => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (events.some(test)) return resolve()
    const stop = core.events.subscribe((name, payload) => {
      if (test({ name, payload })) {
        stop()
        resolve()
      }
    })
  })
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true })
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name))
}

let demo: ConnectionProfile
let jobs: Dataset[]

beforeAll(async () => {
  world = await startServiceWorld({ demoSize: 80 })
  userData = await mkdtemp(path.join(tmpdir(), 'tagdeck-user-'))
  // Main's real log, in the user-data folder: the secret scan below reads it too.
  logger = await createFileLogger({
    dir: logsDirOf(userData),
    name: 'main',
    secrets: knownSecrets
  })
  restoreLog = useLogger(logger)
  core = await newCore()
})
afterAll(async () => {
  restoreLog?.()
  await logger?.close()
  await core?.close()
  await world?.dispose()
  if (userData) await rm(userData, { recursive: true, force: true })
})

describe('connections over IPC', () => {
  it('offers the demo service without its secret, and adds it', async () => {
    const offered = await value<Record<string, unknown>>('connections.demo')
    expect(offered).toMatchObject({
      target: { kind: 'endpoint', url: world.service.demo.endpoint }
    })
    expect(JSON.stringify(offered)).not.toContain(world.service.demo.sk)
    // Plain Node: encrypted with a key file in user data, and honest that it is not the OS's.
    expect(await value('secrets.status')).toEqual({
      encryptionAvailable: true,
      backend: 'key-file',
      osProtected: false
    })
    demo = await value<ConnectionProfile>('connections.addDemo')
    expect(demo).toMatchObject({ hasSecret: true, secretKeeping: 'encrypted' })
    const again = await value<ConnectionProfile>('connections.addDemo')
    expect(again.id).toBe(demo.id)
    expect(await value<ConnectionProfile[]>('connections.list')).toHaveLength(1)
    expect(await value('connections.test', { id: demo.id })).toMatchObject({
      reachable: true,
      authOk: true,
      projectOk: true
    })
  })

  it('tests an unsaved form, and tells a wrong secret from a right one', async () => {
    const form = { ...world.akskProfile, secret: 'wrong' }
    expect(await value('connections.test', form)).toMatchObject({ reachable: true, authOk: false })
    const right = { ...world.akskProfile, secret: world.service.demo.sk }
    expect(await value('connections.test', right)).toMatchObject({ authOk: true, projectOk: true })
  })
})

describe('jobs and samples over IPC', () => {
  it('lists jobs, pages samples and gets one', async () => {
    jobs = await value<Dataset[]>('jobs.list', { connectionId: demo.id })
    // The old-version jobs and the new-version dataset of the default workspace.
    expect(jobs.length).toBe(world.service.demo.datasets.length + 1)
    const job = jobs[0] as Dataset
    const page = await value<{ samples: Sample[]; total: number }>('samples.page', {
      connectionId: demo.id,
      jobId: job.id,
      filter: { kind: 'everything' },
      page: 1,
      perPage: 5
    })
    expect(page.samples).toHaveLength(5)
    const one = await value<Sample>('samples.get', {
      connectionId: demo.id,
      jobId: job.id,
      sampleId: page.samples[0]?.id
    })
    expect(one.id).toBe(page.samples[0]?.id)
    expect(await value('connectivity.get')).toEqual([
      expect.objectContaining({ connectionId: demo.id, state: 'online' })
    ])
  })
})

describe('bad payloads', () => {
  const bad: [ChannelName, unknown][] = [
    ['connections.save', { name: 'x' }],
    [
      'connections.save',
      {
        name: 'x',
        target: { kind: 'region', region: 'cn-north-4' },
        projectId: 'nothex',
        auth: { kind: 'aksk', ak: 'a' }
      }
    ],
    [
      'connections.save',
      {
        name: 'x',
        target: { kind: 'endpoint', url: 'file:///etc/passwd' },
        projectId: 'a'.repeat(32),
        auth: { kind: 'aksk', ak: 'a' }
      }
    ],
    ['connections.remove', { id: '../secret' }],
    ['connections.test', { id: 42 }],
    ['jobs.list', undefined],
    ['jobs.get', { connectionId: 'c', jobId: 'a/b' }],
    [
      'samples.page',
      { connectionId: 'c', jobId: 'j', filter: { kind: 'everything' }, page: 0, perPage: 10 }
    ],
    [
      'samples.page',
      { connectionId: 'c', jobId: 'j', filter: { kind: 'all' }, page: 1, perPage: 10 }
    ],
    [
      'samples.page',
      { connectionId: 'c', jobId: 'j', filter: { kind: 'everything' }, page: 1, perPage: 101 }
    ],
    ['samples.delete', { connectionId: 'c', jobId: 'j', sampleIds: [] }],
    [
      'samples.delete',
      { connectionId: 'c', jobId: 'j', sampleIds: Array.from({ length: 1001 }, (_, i) => `s${i}`) }
    ],
    [
      'images.prefetch',
      { connectionId: 'c', jobId: 'j', taskId: 't', sampleIds: ['s'], variant: 'huge' }
    ],
    ['app.ping', 'just a string']
  ]
  it.each(bad)('%s refuses %j with invalid_input', async (channel, input) => {
    const result = await call(channel, input)
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.error.code).toBe('invalid_input')
  })

  it('refuses calls from other origins', async () => {
    const result = await core.router.dispatch('connections.list', undefined, {
      origin: 'https://evil.example'
    })
    expect(result).toMatchObject({ ok: false, error: { code: 'forbidden_sender' } })
  })
})

describe('secrets are write-only', () => {
  it('no channel, event or file ever shows a secret written through IPC', async () => {
    const saved = await value<ConnectionProfile>('connections.save', {
      name: 'Typed by hand',
      target: { kind: 'endpoint', url: world.service.demo.endpoint },
      projectId: world.service.demo.projectId,
      auth: { kind: 'aksk', ak: 'HANDTYPEDAK' },
      secret: SECRET
    })
    const job = jobs[0] as Dataset
    const sampleIds = ['x1']
    const j = { connectionId: demo.id, jobId: job.id }
    // One valid call per channel; the compiler makes this list grow with the contract.
    const inputs: Record<ChannelName, unknown> = {
      'app.version': undefined,
      'app.ping': { nonce: 'n' },
      'app.setLocale': { locale: 'en' },
      'app.reportPending': { deletions: 3, syncing: false },
      'app.log': {
        level: 'error',
        message: `sign-in failed: {"password":"${SECRET}"}`,
        // Named nowhere: only the secrets main has held can blank it.
        detail: `the service said: ${SECRET} is not accepted`
      },
      'app.openLogsFolder': undefined,
      'connections.list': undefined,
      'connections.save': {
        id: saved.id,
        name: 'Renamed',
        target: saved.target,
        projectId: saved.projectId,
        auth: saved.auth
      },
      'connections.remove': { id: 'not-there' },
      'connections.test': { id: saved.id },
      'connections.findProjects': { id: saved.id, target: saved.target, auth: saved.auth },
      'connections.demo': undefined,
      'connections.addDemo': undefined,
      'secrets.status': undefined,
      'jobs.list': { connectionId: demo.id },
      'jobs.workspaces': { connectionId: demo.id },
      'jobs.tasks': { connectionId: demo.id, datasetId: job.id },
      'jobs.get': j,
      'jobs.labels': j,
      'jobs.stats': j,
      'samples.page': { ...j, filter: { kind: 'untagged' }, page: 1, perPage: 3 },
      'samples.get': { ...j, sampleId: 'x1' },
      'samples.delete': { ...j, sampleIds: ['never-existed'] },
      'samples.updateLabels': {
        ...j,
        edits: [
          {
            sampleId: 'never-existed',
            base: { tags: [], boxes: [] },
            mine: { tags: ['cat'], boxes: [] },
            origins: [],
            cleared: false
          }
        ]
      },
      'samples.judge': {
        ...j,
        stage: 'review',
        verdicts: [{ sampleId: 'never-existed', accept: true, comment: '', score: 'A' }]
      },
      'images.prefetch': { ...j, taskId: 'secret-scan', sampleIds, variant: 'thumb' },
      'images.cancelPrefetch': { taskId: 'secret-scan' },
      'images.collectSignatures': j,
      'images.present': { ...j, variant: 'thumb', sampleIds },
      'images.signatures': { ...j, sampleIds },
      'images.cacheInfo': undefined,
      'connectivity.get': undefined,
      'updates.state': undefined,
      'updates.configure': { enabled: false },
      'updates.respond': { install: false }
    }
    const outputs: string[] = []
    for (const channel of CHANNELS)
      outputs.push(JSON.stringify(await call(channel, inputs[channel])))
    outputs.push(JSON.stringify(await call('connections.test', { id: demo.id })))
    outputs.push(JSON.stringify(events))
    const secrets = [SECRET, world.service.demo.sk]
    for (const output of outputs) for (const secret of secrets) expect(output).not.toContain(secret)
    await logger.flush()
    const logs = await filesUnder(logsDirOf(userData))
    expect(logs.length).toBeGreaterThan(0)
    expect((await Promise.all(logs.map((f) => readFile(f, 'utf8')))).join('')).toContain(
      'sign-in failed'
    )
    expect(await value<ConnectionProfile[]>('connections.list')).toContainEqual(
      expect.objectContaining({ id: saved.id, name: 'Renamed', hasSecret: true })
    )
    for (const file of await filesUnder(userData)) {
      const bytes = await readFile(file)
      for (const secret of secrets) {
        expect(bytes.includes(Buffer.from(secret))).toBe(false)
        expect(bytes.includes(Buffer.from(Buffer.from(secret).toString('base64')))).toBe(false)
      }
    }
    expect(
      (await value<{ removed: boolean }>('connections.remove', { id: saved.id })).removed
    ).toBe(true)
  })
})

describe('images', () => {
  it('serves thumbnails and full images, prefetches them, and serves them offline', async () => {
    const job = jobs.find((d) => d.type === 'detection') as Dataset
    const page = await value<{ samples: Sample[] }>('samples.page', {
      connectionId: demo.id,
      jobId: job.id,
      filter: { kind: 'everything' },
      page: 1,
      perPage: 6
    })
    const ids = page.samples.map((s) => s.id)
    const thumb = await core.serveImage(imagePath(demo.id, job.id, ids[0] as string, 'thumb'))
    const full = await core.serveImage(imagePath(demo.id, job.id, ids[0] as string, 'full'))
    expect(thumb).toMatchObject({ status: 200, contentType: expect.stringMatching(/^image\//) })
    expect(full.status).toBe(200)
    expect((full.body as Buffer).length).toBeGreaterThan((thumb.body as Buffer).length)

    const result = await value('images.prefetch', {
      connectionId: demo.id,
      jobId: job.id,
      taskId: 'p1',
      sampleIds: ids.slice(1, 5),
      variant: 'full'
    })
    expect(result).toMatchObject({ done: 4, failed: 0, cancelled: false })
    expect((await value<{ entries: number }>('images.cacheInfo')).entries).toBeGreaterThanOrEqual(6)

    await world.stop()
    await call('jobs.list', { connectionId: demo.id })
    await eventually(
      (e) => e.name === 'connectivity' && (e.payload as { state: string }).state === 'offline'
    )
    expect(await value('connectivity.get')).toContainEqual(
      expect.objectContaining({ connectionId: demo.id, state: 'offline' })
    )

    // A restart while offline: a new core on the same user data answers from the disk cache.
    await core.close()
    core = await newCore()
    const offline = await core.serveImage(imagePath(demo.id, job.id, ids[3] as string, 'full'))
    expect(offline.status).toBe(200)
    expect(offline.headers?.['X-Tagdeck-Cache']).toBe('hit')
    const again = await core.serveImage(imagePath(demo.id, job.id, ids[0] as string, 'full'))
    expect(again.body).toEqual(full.body)
    const missing = await core.serveImage(imagePath(demo.id, job.id, ids[5] as string, 'full'))
    expect(missing.status).toBe(503)
  })
})
