import { autoUpdater } from 'electron-updater'
import type { UpdaterAdapter, UpdaterEvent } from '../updater/adapter'
import { log } from '../log'

/**
 * electron-updater behind the updater adapter: it reads the release feed from the
 * `app-update.yml` electron-builder writes from `publish` (electron-builder.yml), downloads a
 * newer release in the background, and installs only when the update logic says so: never on
 * quit by itself (`autoInstallOnAppQuit` off), so a user who said "Later" gets nothing behind
 * their back.
 */
export function createElectronUpdater(): UpdaterAdapter {
  const updateLog = log.child('updates')
  autoUpdater.autoDownload = true
  autoUpdater.autoInstallOnAppQuit = false
  autoUpdater.logger = {
    info: (message?: unknown) => updateLog.info(String(message)),
    warn: (message?: unknown) => updateLog.warn(String(message)),
    error: (message?: unknown) => updateLog.error(String(message))
  }
  return {
    async check() {
      const result = await autoUpdater.checkForUpdates()
      // The download goes on after the check answers; its failure also arrives as an 'error'
      // event, which the update logic shows, so here it is only logged.
      result?.downloadPromise?.catch((error: unknown) =>
        updateLog.warn('update download failed', error)
      )
    },
    quitAndInstall() {
      autoUpdater.quitAndInstall()
    },
    subscribe(listener: (event: UpdaterEvent) => void) {
      const available = (info: { version: string }) =>
        listener({ kind: 'available', version: info.version })
      const none = () => listener({ kind: 'not-available' })
      const progress = (info: { percent: number }) =>
        listener({ kind: 'progress', percent: info.percent })
      const downloaded = (info: { version: string }) =>
        listener({ kind: 'downloaded', version: info.version })
      const failed = (error: Error) => listener({ kind: 'error', message: error.message })
      autoUpdater.on('update-available', available)
      autoUpdater.on('update-not-available', none)
      autoUpdater.on('download-progress', progress)
      autoUpdater.on('update-downloaded', downloaded)
      autoUpdater.on('error', failed)
      return () => {
        autoUpdater.off('update-available', available)
        autoUpdater.off('update-not-available', none)
        autoUpdater.off('download-progress', progress)
        autoUpdater.off('update-downloaded', downloaded)
        autoUpdater.off('error', failed)
      }
    }
  }
}
