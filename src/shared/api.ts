import type { ChannelInput, ChannelName, ChannelOutput, EventName, EventPayload } from './ipc'
import type { IpcResult } from './errors'
import type { ImageVariant } from './domain'

export type ChannelFn<C extends ChannelName> =
  ChannelInput<C> extends undefined
    ? () => Promise<IpcResult<ChannelOutput<C>>>
    : (input: ChannelInput<C>) => Promise<IpcResult<ChannelOutput<C>>>

/**
 * What the renderer talks to: one function per channel, plus events and image names.
 * In Electron the preload exposes it as `window.tagdeck`; in the browser shell the loopback
 * bridge client implements the same shape. Calls resolve to an envelope and never reject
 * with an unexplained error.
 */
export type TagdeckApi = { readonly [C in ChannelName]: ChannelFn<C> } & {
  readonly on: <E extends EventName>(
    event: E,
    listener: (payload: EventPayload<E>) => void
  ) => () => void
  /** Main resolves the image, so no service URL or credential reaches the page. */
  readonly imageUrl: (
    connectionId: string,
    jobId: string,
    sampleId: string,
    variant: ImageVariant
  ) => string
  readonly shell: 'electron' | 'browser'
}

/** Path part shared by `tagdeck-img://` (Electron) and the bridge's `/img/` route. */
export function imagePath(
  connectionId: string,
  jobId: string,
  sampleId: string,
  variant: ImageVariant
): string {
  return [connectionId, jobId, sampleId, variant].map(encodeURIComponent).join('/')
}
