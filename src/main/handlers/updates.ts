import type { IpcRouter } from '../ipc/router'
import type { UpdateController } from '../updater/controller'

/** The app's own update: its state, the Settings switch, and the user's answer. */
export function addUpdateHandlers(router: IpcRouter, updates: UpdateController): void {
  router.addHandler('updates.state', () => updates.state())
  router.addHandler('updates.configure', ({ enabled }) => updates.setEnabled(enabled))
  router.addHandler('updates.respond', ({ install }) => updates.respond(install))
}
