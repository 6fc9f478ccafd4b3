import { spawn } from 'node:child_process'
import path from 'node:path'
import { z } from 'zod'
import { DemoRecord } from '../src/service/demo'

/**
 * The local annotation service as its own process (the CLI), as users run it, for benchmarks:
 * the bench's own client code then never shares an event loop with the service.
 */
const ROOT = path.resolve(__dirname, '..')

/** What the CLI's READY line says: the demo workspace and where it is served. */
const Demo = DemoRecord.extend({ endpoint: z.string() })
export type Demo = z.infer<typeof Demo>

export interface ServiceProcess {
  demo: Demo
  dataDir: string
  stop(): Promise<void>
}

/**
 * Starts `src/service/cli.ts --demo` on `dataDir` (made on the first start, reused after);
 * `demoTaskSize`: images in each labeling task of the new-version dataset.
 */
export async function startServiceProcess(
  dataDir: string,
  demoSize: number,
  demoTaskSize?: number
): Promise<ServiceProcess> {
  const tsx = path.join(ROOT, 'node_modules', '.bin', 'tsx')
  const args = [path.join(ROOT, 'src/service/cli.ts'), '--data', dataDir, '--port', '0']
  args.push('--demo', '--demo-size', String(demoSize))
  if (demoTaskSize !== undefined) args.push('--demo-task-size', String(demoTaskSize))
  const child = spawn(tsx, args, {
    stdio: ['ignore', 'pipe', 'inherit']
  })
  let out = ''
  const demo = await new Promise<Demo>((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const line = /^TAGDECK_SERVICE_READY (.*)$/m.exec(out)
      if (line) resolve(Demo.parse(JSON.parse(line[1] ?? '')))
    })
    child.once('exit', (code) => reject(new Error(`the service exited (${code}) before READY`)))
  })
  return {
    demo,
    dataDir,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      })
  }
}
