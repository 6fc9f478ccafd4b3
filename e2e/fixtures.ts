import { test as base, expect } from '@playwright/test'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startService } from '../src/service/server'
import { startShellProcess, type ShellProcess } from './shell-process'

type RunningService = Awaited<ReturnType<typeof startService>>

export interface Fixtures {
  /** A temp folder of this test's own, removed afterwards. */
  workdir: string
  /** The real local annotation service with the demo workspace, on its own port. */
  service: RunningService
  /** A browser shell process for this test, wired to the demo service. */
  shell: ShellProcess
  /**
   * A cloud region the service poses as (`test.use({ region: 'cn-north-4' })`): the demo project
   * is named after it, and the shell sends that region (every region) to the service, with no
   * demo connection on offer.
   */
  region: string | undefined
}

export const test = base.extend<Fixtures>({
  region: [undefined, { option: true }],
  // eslint-disable-next-line no-empty-pattern
  workdir: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-e2e-'))
    await use(dir)
    await rm(dir, { recursive: true, force: true })
  },
  service: async ({ workdir, region }, use) => {
    const service = await startService({
      dataDir: path.join(workdir, 'service'),
      port: 0,
      demo: true,
      ...(region ? { region, demoSize: 60 } : {}),
      testFaults: true
    })
    await use(service)
    await service.close()
  },
  shell: async ({ workdir, service, region }, use) => {
    const shell = await startShellProcess({
      userDataDir: path.join(workdir, 'user'),
      ...(region
        ? { regionEndpoint: service.url }
        : { demoFile: path.join(workdir, 'service', 'demo.json') })
    })
    await use(shell)
    await shell.stop()
  }
})

export { expect }
