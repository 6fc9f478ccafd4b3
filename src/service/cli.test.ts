import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { parseCli, UsageError } from './cli-args'

// The command line: every argument checked (exit 2), the READY line, demo.json, SIGTERM.
const TSX = path.resolve('node_modules', '.bin', 'tsx')
const CLI = path.resolve('src', 'service', 'cli.ts')
let dir: string
/** Service processes a test started: none may outlive it, whatever the test did. */
const started = new Set<ChildProcess>()

afterEach(() => {
  for (const child of started) {
    // Its own process group: tsx runs the service in a child node, which must go too.
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined)
      process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL')
  }
  started.clear()
})

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-cli-'))
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

describe('parseCli', () => {
  it('reads every flag', () => {
    expect(
      parseCli([
        '--data',
        'x',
        '--port',
        '8090',
        '--host',
        '0.0.0.0',
        '--demo',
        '--demo-size',
        '100000',
        '--demo-task-size',
        '500',
        '--test-faults',
        '--log',
        '--public-url',
        'http://box.lan:8090'
      ])
    ).toEqual({
      dataDir: path.resolve('x'),
      port: 8090,
      host: '0.0.0.0',
      demo: true,
      demoSize: 100000,
      demoTaskSize: 500,
      testFaults: true,
      log: true,
      publicUrl: 'http://box.lan:8090'
    })
    expect(parseCli(['--data', 'x'])).toMatchObject({
      port: 0,
      host: '127.0.0.1',
      demo: false,
      testFaults: false
    })
    expect(parseCli(['--help'])).toBe('help')
  })

  const wrong: [string[], RegExp][] = [
    [['--data', 'x', '--bogus'], /bogus/],
    [['--data', 'x', '--port', 'eighty'], /--port must be a whole number 0\.\.65535/],
    [['--data', 'x', '--port', '65536'], /--port/],
    [['--data', 'x', '--port', '-1'], /port/],
    [['--port', '80'], /--data DIR is required/],
    [['--data', 'x', '--demo-size', '10'], /--demo-size needs --demo/],
    [
      ['--data', 'x', '--demo', '--demo-size', '0'],
      /--demo-size must be a whole number 1\.\.1000000/
    ],
    [['--data', 'x', '--demo', '--demo-size', '1e5'], /--demo-size/],
    [['--data', 'x', '--demo-task-size', '10'], /--demo-task-size needs --demo/],
    [
      ['--data', 'x', '--demo', '--demo-task-size', '200001'],
      /--demo-task-size must be a whole number 1\.\.200000/
    ],
    [['--data', 'x', 'extra'], /extra|positional/i],
    [['--data', 'x', '--host', 'a b'], /--host/],
    [['--data', 'x', '--public-url', 'ftp://x'], /--public-url/],
    [['--data', 'x', '--region', 'cn-north-4'], /--region needs --demo/],
    [['--data', 'x', '--demo', '--region', 'Beijing'], /--region must be a region id/],
    [['--data'], /data/]
  ]
  it.each(wrong)('refuses %j', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(UsageError)
    expect(() => parseCli(argv)).toThrow(message)
  })
})

function run(args: string[]) {
  const child = spawn(TSX, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: process.platform !== 'win32'
  })
  started.add(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()))
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', () => {
      const line = /^TAGDECK_SERVICE_READY (.*)$/m.exec(stdout)
      if (line) resolve(line[1] ?? '')
    })
    void exited.then((code) => reject(new Error(`exited ${code}: ${stderr}`)))
  })
  // Marked handled: a test that expects an early exit never awaits `ready`.
  ready.catch(() => {})
  return { child, ready, exited, output: () => ({ stdout, stderr }) }
}

describe('the service process', () => {
  it('exits 2 with the reason on a bad argument', async () => {
    const proc = run(['--data', dir, '--port', 'eighty'])
    expect(await proc.exited).toBe(2)
    expect(proc.output().stderr).toMatch(/--port must be a whole number/)
    expect(proc.output().stderr).toMatch(/usage:/)
  })

  it('prints one READY line with the demo, writes demo.json, and stops cleanly on SIGTERM', async () => {
    const data = path.join(dir, 'svc')
    const proc = run(['--data', data, '--port', '0', '--demo', '--demo-size', '5'])
    const demo = z
      .object({
        endpoint: z.string(),
        projectId: z.string().regex(/^[0-9a-f]{32}$/),
        ak: z.string(),
        sk: z.string(),
        user: z.string(),
        password: z.string(),
        domain: z.string(),
        datasets: z.array(
          z.object({
            id: z.string(),
            name: z.string(),
            type: z.union([z.literal(0), z.literal(1)])
          })
        ),
        newVersion: z.object({
          dataset: z.object({ id: z.string(), name: z.string() }),
          tasks: z.array(
            z.object({ id: z.string(), type: z.union([z.literal(0), z.literal(1)]) }).passthrough()
          ),
          workspace: z.object({ id: z.string(), name: z.string(), datasetId: z.string() })
        })
      })
      .strict()
      .parse(JSON.parse(await proc.ready))
    expect(demo.datasets.map((d) => d.type)).toEqual([0, 1])
    expect(JSON.parse(await readFile(path.join(data, 'demo.json'), 'utf8'))).toEqual(demo)
    expect(proc.output().stdout.match(/TAGDECK_SERVICE_READY/g)).toHaveLength(1)
    expect(proc.output().stdout).toContain(demo.sk)
    const health = await fetch(new URL('/health', demo.endpoint))
    expect(await health.json()).toEqual({ ok: true })
    proc.child.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
  })
})
