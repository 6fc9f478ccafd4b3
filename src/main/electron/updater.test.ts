import type { EventEmitter } from 'node:events'
import { describe, expect, it, vi } from 'vitest'
import type { UpdaterEvent } from '../updater/adapter'

// electron-updater itself needs Electron: a stand-in with its event names and switches.
const fake = vi.hoisted(() => ({ updater: null as unknown }))
vi.mock('electron-updater', async () => {
  const events = await import('node:events')
  class FakeAutoUpdater extends events.EventEmitter {
    autoDownload = false
    autoInstallOnAppQuit = true
    logger: unknown = null
    checks = 0
    installs = 0
    async checkForUpdates() {
      this.checks++
      return { downloadPromise: Promise.reject(new Error('cut off')) }
    }
    quitAndInstall() {
      this.installs++
    }
  }
  fake.updater = new FakeAutoUpdater()
  return { autoUpdater: fake.updater }
})

const { createElectronUpdater } = await import('./updater')

type Fake = EventEmitter & {
  autoDownload: boolean
  autoInstallOnAppQuit: boolean
  logger: unknown
  checks: number
  installs: number
}

describe('the electron-updater adapter', () => {
  it('downloads by itself but never installs on quit by itself', () => {
    createElectronUpdater()
    const updater = fake.updater as Fake
    expect(updater.autoDownload).toBe(true)
    expect(updater.autoInstallOnAppQuit).toBe(false)
    expect(updater.logger).not.toBeNull()
  })

  it("turns electron-updater's events into the update logic's, until unsubscribed", async () => {
    const adapter = createElectronUpdater()
    const updater = fake.updater as Fake
    const seen: UpdaterEvent[] = []
    const off = adapter.subscribe((event) => seen.push(event))
    updater.emit('update-available', { version: '0.2.0' })
    updater.emit('download-progress', { percent: 42.5 })
    updater.emit('update-downloaded', { version: '0.2.0' })
    updater.emit('update-not-available', { version: '0.1.0' })
    updater.emit('error', new Error('net::ERR_NAME_NOT_RESOLVED'))
    expect(seen).toEqual([
      { kind: 'available', version: '0.2.0' },
      { kind: 'progress', percent: 42.5 },
      { kind: 'downloaded', version: '0.2.0' },
      { kind: 'not-available' },
      { kind: 'error', message: 'net::ERR_NAME_NOT_RESOLVED' }
    ])
    off()
    updater.emit('update-available', { version: '0.3.0' })
    expect(seen).toHaveLength(5)
    // A failed download is logged, not left as an unhandled rejection.
    await adapter.check()
    expect(updater.checks).toBe(1)
    adapter.quitAndInstall()
    expect(updater.installs).toBe(1)
  })
})
