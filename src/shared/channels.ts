/**
 * Channel and event names, with no dependencies, so the sandboxed preload can bundle them.
 * `ipc.ts` pairs each with its zod schemas; the compiler keeps the two lists identical.
 */
export const CHANNELS = [
  'app.version',
  'app.ping',
  'app.setLocale',
  'app.reportPending',
  'app.log',
  'app.openLogsFolder',
  'connections.list',
  'connections.save',
  'connections.remove',
  'connections.test',
  'connections.findProjects',
  'connections.demo',
  'connections.addDemo',
  'secrets.status',
  'jobs.list',
  'jobs.workspaces',
  'jobs.tasks',
  'jobs.get',
  'jobs.labels',
  'jobs.stats',
  'samples.page',
  'samples.get',
  'samples.delete',
  'samples.updateLabels',
  'samples.judge',
  'images.prefetch',
  'images.cancelPrefetch',
  'images.collectSignatures',
  'images.present',
  'images.signatures',
  'images.cacheInfo',
  'connectivity.get',
  'updates.state',
  'updates.configure',
  'updates.respond'
] as const
export type ChannelName = (typeof CHANNELS)[number]

export const EVENTS = ['connectivity', 'images.progress', 'updates.state'] as const
export type EventName = (typeof EVENTS)[number]
