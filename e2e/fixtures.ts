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
}

export const test = base.extend<Fixtures>({
  // eslint-disable-next-line no-empty-pattern
  workdir: async ({}, use) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'tagdeck-e2e-'))
    await use(dir)
    await rm(dir, { recursive: true, force: true })
  },
  service: async ({ workdir }, use) => {
    const service = await startService({
      dataDir: path.join(workdir, 'service'),
      port: 0,
      demo: true,
      testFaults: true
    })
    await use(service)
    await service.close()
  },
  shell: async ({ workdir, service }, use) => {
    const shell = await startShellProcess({
      userDataDir: path.join(workdir, 'user'),
      demoFile: path.join(workdir, 'service', 'demo.json')
    })
    void service
    await use(shell)
    await shell.stop()
  }
})

export { expect }
