import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startService } from '../src/service/server'
import type { ConnectionInput } from '../src/shared/domain'

/**
 * Test support: a fresh local annotation service (src/service) on its own port and temp dir,
 * with the demo workspace and the test-only fault switch. Each test file builds its own.
 */
export type RunningService = Awaited<ReturnType<typeof startService>>

export interface ServiceWorld {
  dir: string
  service: RunningService
  /** An AK/SK profile for the demo project (no secret: pass `service.demo.sk`). */
  akskProfile: Omit<ConnectionInput, 'secret'>
  /** The IAM-user profile for the demo project (password: `service.demo.password`). */
  passwordProfile: Omit<ConnectionInput, 'secret'>
  faults(
    body:
      | { status: number; count: number }
      | { expireTokens: true }
      | { clear: true }
      /** Moves a labeling task on: 1 labeling (takes reviews), 2 accepting, 3 accepted... */
      | { taskStatus: { task: string; status: number } }
  ): Promise<void>
  /** Stops the service (idempotent); the temp dir stays until `dispose`. */
  stop(): Promise<void>
  dispose(): Promise<void>
}

export async function startServiceWorld(
  options: { demoSize?: number } = {}
): Promise<ServiceWorld> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-main-'))
  const service = await startService({
    dataDir: path.join(dir, 'service'),
    port: 0,
    demo: true,
    demoSize: options.demoSize,
    testFaults: true
  })
  const { demo } = service
  const target = { kind: 'endpoint' as const, url: demo.endpoint }
  let stopped: Promise<void> | null = null
  const stop = () => (stopped ??= Promise.resolve(service.close()).then(() => undefined))
  return {
    dir,
    service,
    akskProfile: {
      name: 'Demo AK/SK',
      target,
      projectId: demo.projectId,
      auth: { kind: 'aksk', ak: demo.ak }
    },
    passwordProfile: {
      name: 'Demo IAM user',
      target,
      projectId: demo.projectId,
      auth: { kind: 'password', user: demo.user, domain: demo.domain }
    },
    async faults(body) {
      const response = await fetch(new URL('/__test__/faults', service.url), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(body)
      })
      if (!response.ok) throw new Error(`fault switch answered ${response.status}`)
    },
    stop,
    async dispose() {
      await stop()
      await rm(dir, { recursive: true, force: true })
    }
  }
}

/** A fetch that counts what it sends, by path, for retry and refresh assertions. */
export function countingFetch(rewrite?: (url: URL, init: RequestInit) => RequestInit): {
  fetch: typeof fetch
  calls: { method: string; path: string; status: number | null }[]
} {
  const calls: { method: string; path: string; status: number | null }[] = []
  const counted: typeof fetch = async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    const call = { method: init.method ?? 'GET', path: url.pathname, status: null as number | null }
    calls.push(call)
    const response = await fetch(url, rewrite ? rewrite(url, init) : init)
    call.status = response.status
    return response
  }
  return { fetch: counted, calls }
}
