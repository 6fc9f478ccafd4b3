import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createMainCore } from '../src/main/core'
import { startBridge } from '../src/main/shell/bridge-server'
import { startFastifyBridge } from './bridge-fastify'

/**
 * For `bridge-routing.bench.ts`: the browser shell's bridge (`bridge-server.ts`) and the
 * Fastify bridge on one real core (as `browser-shell.ts` makes it, trusting both origins), in one process of their own as the shell is, so the
 * bench can read their CPU (`{cpu: true}` over IPC is answered with `process.cpuUsage()`).
 * Usage: fork with `--import tsx`, argv <rendererDir> <token>.
 */
async function main(): Promise<void> {
  const [rendererDir, token] = process.argv.slice(2)
  if (!rendererDir || !token || !process.send)
    throw new Error('usage: fork with <renderer> <token>')
  const data = await mkdtemp(path.join(tmpdir(), 'tagdeck-bridge-bench-'))
  const origins = new Set<string>()
  const core = await createMainCore({
    version: '0.0.0',
    shell: 'browser',
    userDataDir: data,
    demoFile: null,
    trustedOrigin: (origin) => origins.has(origin)
  })
  const ours = await startBridge({ core, rendererDir, token })
  const fastify = await startFastifyBridge({ core, rendererDir, token })
  origins.add(ours.origin).add(fastify.origin)
  process.on('message', (message: { cpu?: boolean; stop?: boolean }) => {
    if (message.cpu) process.send?.({ cpu: process.cpuUsage() })
    if (message.stop)
      void Promise.all([fastify.close(), ours.close()])
        .then(() => core.close())
        .then(() => rm(data, { recursive: true, force: true }))
        .then(
          () => process.exit(0),
          (error: unknown) => {
            console.error('bridge bench host: closing failed', error)
            process.exit(1)
          }
        )
  })
  process.send({ ours: ours.origin, fastify: fastify.origin })
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
