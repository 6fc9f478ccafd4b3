import { ipcMain, webContents } from 'electron'
import { CHANNELS } from '../../shared/channels'
import type { IpcRouter } from '../ipc/router'
import type { EventHub } from '../ipc/events'

/** The only file in main that touches ipcMain: every channel goes through the router. */
export function bindIpcMain(router: IpcRouter): void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event, input: unknown) => {
      // senderFrame is null when the frame navigated away or was destroyed: trust nothing then.
      const origin = event.senderFrame?.origin ?? ''
      return router.dispatch(channel, input, { origin })
    })
  }
}

/** Delivers main's events to every window's renderer. */
export function bindEventsToWindows(events: EventHub): () => void {
  return events.subscribe((name, payload) => {
    for (const contents of webContents.getAllWebContents()) {
      if (!contents.isDestroyed()) contents.send(`event:${name}`, payload)
    }
  })
}
