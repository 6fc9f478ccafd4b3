import { CHANNELS, EVENTS, type EventName } from '../../../shared/channels'
import { imagePath, type TagdeckApi } from '../../../shared/api'
import type { IpcResult } from '../../../shared/errors'

/**
 * The browser shell's stand-in for the preload: the same functions, carried over the loopback
 * bridge (the token travels as an HttpOnly cookie, so this code never sees it).
 */
export function createBridgeClient(base = ''): TagdeckApi {
  const functions: Record<string, (input?: unknown) => Promise<IpcResult<unknown>>> = {}
  for (const channel of CHANNELS) {
    functions[channel] = async (input?: unknown) => {
      try {
        const response = await fetch(`${base}/bridge/invoke/${channel}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify({ input })
        })
        if (!response.ok) {
          const text = await response.text()
          return {
            ok: false,
            error: {
              code: 'internal',
              message: `Tagdeck host refused the call (${response.status}): ${text}`
            }
          }
        }
        return (await response.json()) as IpcResult<unknown>
      } catch {
        return { ok: false, error: { code: 'internal', message: 'Tagdeck host is not responding' } }
      }
    }
  }

  const listeners = new Map<string, Set<(payload: unknown) => void>>()
  let source: EventSource | null = null
  const ensureSource = () => {
    if (source) return
    source = new EventSource(`${base}/bridge/events`, { withCredentials: true })
    for (const event of EVENTS) {
      source.addEventListener(event, (message) => {
        const payload: unknown = JSON.parse((message as MessageEvent<string>).data)
        for (const listener of listeners.get(event) ?? []) listener(payload)
      })
    }
  }

  return {
    ...functions,
    shell: 'browser',
    on(event: EventName, listener: (payload: unknown) => void) {
      ensureSource()
      const set = listeners.get(event) ?? new Set()
      set.add(listener)
      listeners.set(event, set)
      return () => set.delete(listener)
    },
    imageUrl(connectionId: string, jobId: string, sampleId: string, variant: 'thumb' | 'full') {
      return `${base}/img/${imagePath(connectionId, jobId, sampleId, variant)}`
    }
  } as unknown as TagdeckApi
}
