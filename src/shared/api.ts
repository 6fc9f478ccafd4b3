import type { ChannelInput, ChannelName, ChannelOutput, EventName, EventPayload } from './ipc'
import type { IpcResult } from './errors'
import type { ImageVariant } from './domain'

/** A call's arguments: none where the channel takes no input, else its one input. */
export type ChannelArgs<C extends ChannelName> =
  ChannelInput<C> extends undefined ? [] : [input: ChannelInput<C>]

export type ChannelFn<C extends ChannelName> = (
  ...args: ChannelArgs<C>
) => Promise<IpcResult<ChannelOutput<C>>>

/** One function per channel: the part of TagdeckApi that `channelFunctions` builds. */
export type ChannelFunctions = { readonly [C in ChannelName]: ChannelFn<C> }

/**
 * A way to main (ipcRenderer, the loopback bridge): sends one call and resolves to main's
 * envelope, whose value main has already checked against the channel's output schema.
 */
export type Invoke = <C extends ChannelName>(
  channel: C,
  ...args: ChannelArgs<C>
) => Promise<IpcResult<ChannelOutput<C>>>

/**
 * What the renderer talks to: one function per channel, plus events and image names.
 * In Electron the preload exposes it as `window.tagdeck`; in the browser shell the loopback
 * bridge client implements the same shape. Calls resolve to an envelope and never reject
 * with an unexplained error.
 */
export type TagdeckApi = ChannelFunctions & {
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

/**
 * The channel functions over one way to main. Each channel is named here once more, on
 * purpose: the compiler can check an object literal key by key (a missing, extra or mismatched
 * channel fails to compile), where an object filled in a loop over CHANNELS would need a cast.
 * Imports nothing at runtime, so the sandboxed preload bundles it.
 */
export function channelFunctions(invoke: Invoke): ChannelFunctions {
  const fn =
    <C extends ChannelName>(channel: C): ChannelFn<C> =>
    (...args) =>
      invoke(channel, ...args)
  return {
    'app.version': fn('app.version'),
    'app.ping': fn('app.ping'),
    'app.setLocale': fn('app.setLocale'),
    'app.reportPending': fn('app.reportPending'),
    'app.log': fn('app.log'),
    'app.openLogsFolder': fn('app.openLogsFolder'),
    'connections.list': fn('connections.list'),
    'connections.save': fn('connections.save'),
    'connections.remove': fn('connections.remove'),
    'connections.test': fn('connections.test'),
    'connections.findProjects': fn('connections.findProjects'),
    'connections.demo': fn('connections.demo'),
    'connections.addDemo': fn('connections.addDemo'),
    'secrets.status': fn('secrets.status'),
    'jobs.list': fn('jobs.list'),
    'jobs.workspaces': fn('jobs.workspaces'),
    'jobs.tasks': fn('jobs.tasks'),
    'jobs.get': fn('jobs.get'),
    'jobs.labels': fn('jobs.labels'),
    'jobs.stats': fn('jobs.stats'),
    'samples.page': fn('samples.page'),
    'samples.get': fn('samples.get'),
    'samples.delete': fn('samples.delete'),
    'samples.updateLabels': fn('samples.updateLabels'),
    'samples.judge': fn('samples.judge'),
    'images.prefetch': fn('images.prefetch'),
    'images.cancelPrefetch': fn('images.cancelPrefetch'),
    'images.collectSignatures': fn('images.collectSignatures'),
    'images.present': fn('images.present'),
    'images.signatures': fn('images.signatures'),
    'images.cacheInfo': fn('images.cacheInfo'),
    'connectivity.get': fn('connectivity.get'),
    'updates.state': fn('updates.state'),
    'updates.configure': fn('updates.configure'),
    'updates.respond': fn('updates.respond')
  }
}
