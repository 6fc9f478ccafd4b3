import { contextBridge, ipcRenderer } from 'electron'
import { EVENTS, type EventName } from '../shared/channels'
import { channelFunctions, imagePath, type TagdeckApi } from '../shared/api'
import type { EventPayload } from '../shared/ipc'

// Sandboxed preload: bundled whole (see electron.vite.config.ts), imports only electron.
// One function per channel; main validates everything, so this stays a thin pass-through.
// ipcRenderer.invoke answers `any`: main's envelope, its value checked by main against the
// channel's output schema, so the preload takes it as the channel's type.
const knownEvents = new Set<string>(EVENTS)

const api: TagdeckApi = {
  ...channelFunctions((channel, ...args) => ipcRenderer.invoke(channel, ...args)),
  shell: 'electron',
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
    if (!knownEvents.has(event)) throw new Error(`Unknown event ${String(event)}`)
    // main sends each event's payload as parsed by its schema (src/main/ipc/events.ts)
    const wrapped = (_e: unknown, payload: EventPayload<E>) => listener(payload)
    ipcRenderer.on(`event:${event}`, wrapped)
    return () => {
      ipcRenderer.removeListener(`event:${event}`, wrapped)
    }
  },
  imageUrl(connectionId, jobId, sampleId, variant) {
    return `tagdeck-img://img/${imagePath(connectionId, jobId, sampleId, variant)}`
  }
}

contextBridge.exposeInMainWorld('tagdeck', api)
