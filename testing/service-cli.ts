import { spawn } from 'node:child_process'
import path from 'node:path'
import { z } from 'zod'
import { DemoRecord } from '../src/service/demo'

/**
 * For tests that need the service as users run it: the CLI in its own process (its own event
 * loop, its own stderr), started with `--demo` on `dataDir`.
 */
const TSX = path.resolve('node_modules', '.bin', 'tsx')
const CLI = path.resolve('src', 'service', 'cli.ts')
const Demo = DemoRecord.extend({ endpoint: z.string() })

export interface ServiceProcess {
  demo: z.infer<typeof Demo>
  /** Everything the process wrote to stderr so far. */
  stderr(): string
  stop(): Promise<void>
}

export async function spawnService(dataDir: string, args: string[] = []): Promise<ServiceProcess> {
  const child = spawn(TSX, [CLI, '--data', dataDir, '--port', '0', '--demo', ...args], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let stdout = ''
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const demo = await new Promise<z.infer<typeof Demo>>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const line = /^TAGDECK_SERVICE_READY (.*)$/m.exec(stdout)
      if (line) resolve(Demo.parse(JSON.parse(line[1] ?? '')))
    })
    void exited.then(() => reject(new Error(`the service exited before READY: ${stderr}`)))
  })
  return {
    demo,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM')
      await exited
    }
  }
}
