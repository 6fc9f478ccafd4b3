import { spawn, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import path from 'node:path'

const ROOT = path.resolve(__dirname, '..')
const TSX = path.join(
  ROOT,
  'node_modules',
  '.bin',
  process.platform === 'win32' ? 'tsx.cmd' : 'tsx'
)

export interface ShellProcess {
  /** The address to open (carries the token in its fragment; the page then keeps it). */
  readonly url: string
  readonly origin: string
  readonly userDataDir: string
  /** Stops the process (SIGTERM), then starts it again on the same port and profile. */
  restart(): Promise<void>
  /** Stops the process: SIGTERM lets it finish, SIGKILL simulates a crash. */
  stop(signal?: 'SIGTERM' | 'SIGKILL'): Promise<void>
  start(): Promise<void>
}

/**
 * A browser shell as its own process, as a user runs it: tests can stop, kill and restart it
 * on the same port (same origin, so the page keeps its IndexedDB) and the same user data.
 */
export async function startShellProcess(options: {
  userDataDir: string
  demoFile?: string
  /** Every cloud region's services at this URL (TAGDECK_REGION_ENDPOINT): the local service. */
  regionEndpoint?: string
}): Promise<ShellProcess> {
  // Hex: a token may not start with '-', which the CLI would read as an option.
  const token = randomBytes(18).toString('hex')
  let port = 0
  let child: ChildProcess | null = null
  let origin = ''

  const start = async () => {
    const args = [
      'src/main/shell/cli.ts',
      '--data',
      options.userDataDir,
      '--port',
      String(port),
      `--token=${token}`
    ]
    if (options.demoFile) args.push('--demo', options.demoFile)
    // Its own process group: tsx runs the shell in a child node, and SIGKILL (which tsx cannot
    // relay) must reach that child too, as a crash would.
    const env = options.regionEndpoint
      ? { ...process.env, TAGDECK_REGION_ENDPOINT: options.regionEndpoint }
      : process.env
    const proc = spawn(TSX, args, {
      cwd: ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32'
    })
    child = proc
    let stderr = ''
    proc.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    origin = await new Promise<string>((resolve, reject) => {
      let out = ''
      proc.stdout?.on('data', (chunk: Buffer) => {
        out += chunk.toString()
        const match = /TAGDECK_SHELL_READY (.*)/.exec(out)
        if (match) resolve((JSON.parse(match[1]) as { origin: string }).origin)
      })
      proc.once('exit', (code) => reject(new Error(`browser shell exited (${code}): ${stderr}`)))
    })
    port = Number(new URL(origin).port)
  }

  const stop = async (signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') => {
    const proc = child
    child = null
    if (!proc || proc.exitCode !== null) return
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve())
      if (signal === 'SIGKILL' && proc.pid !== undefined && process.platform !== 'win32')
        process.kill(-proc.pid, 'SIGKILL')
      else proc.kill(signal)
    })
  }

  await start()
  return {
    get url() {
      return `${origin}/#token=${token}`
    },
    get origin() {
      return origin
    },
    userDataDir: options.userDataDir,
    start,
    stop,
    async restart() {
      await stop()
      await start()
    }
  }
}
