import { contextBridge, ipcRenderer } from 'electron'
import { CHANNELS, EVENTS, type EventName } from '../shared/channels'
import { imagePath } from '../shared/api'
import type { TagdeckApi } from '../shared/api'

// Sandboxed preload: bundled whole (see electron.vite.config.ts), imports only electron.
// One function per channel; main validates everything, so this stays a thin pass-through.
const functions: Record<string, (input?: unknown) => Promise<unknown>> = {}
for (const channel of CHANNELS) {
  functions[channel] = (input?: unknown) => ipcRenderer.invoke(channel, input)
}

const knownEvents = new Set<string>(EVENTS)

const api = {
  ...functions,
  shell: 'electron',
  on(event: EventName, listener: (payload: unknown) => void) {
    if (!knownEvents.has(event)) throw new Error(`Unknown event ${String(event)}`)
    const wrapped = (_e: unknown, payload: unknown) => listener(payload)
    ipcRenderer.on(`event:${event}`, wrapped)
    return () => {
      ipcRenderer.removeListener(`event:${event}`, wrapped)
    }
  },
  imageUrl(connectionId: string, jobId: string, sampleId: string, variant: 'thumb' | 'full') {
    return `tagdeck-img://img/${imagePath(connectionId, jobId, sampleId, variant)}`
  }
} as unknown as TagdeckApi

contextBridge.exposeInMainWorld('tagdeck', api)
