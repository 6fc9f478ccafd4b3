import { z } from 'zod'

/**
 * Where the app's own update stands, as main tells the renderer (the `updates.state` event and
 * channel). Only a packaged build with a release feed ever leaves `unavailable`.
 */
export const UpdateState = z.discriminatedUnion('phase', [
  /** No feed in this build (development, the browser shell, an unpackaged or feedless build). */
  z.object({ phase: z.literal('unavailable') }),
  /** The user turned "Check for updates" off in Settings (or the renderer has not said yet). */
  z.object({ phase: z.literal('off') }),
  /** Up to date as of the last check (null: none yet). */
  z.object({ phase: z.literal('idle'), checkedAt: z.number().nullable() }),
  z.object({ phase: z.literal('checking') }),
  z.object({
    phase: z.literal('downloading'),
    version: z.string(),
    percent: z.number().min(0).max(100)
  }),
  /** Downloaded; installs only when the user says so (`declined`: they said "Later"). */
  z.object({ phase: z.literal('ready'), version: z.string(), declined: z.boolean() }),
  /** The user said install, but deletions wait or a sync runs: installs once both are done. */
  z.object({
    phase: z.literal('waiting'),
    version: z.string(),
    pendingDeletions: z.number(),
    syncing: z.boolean()
  }),
  /** Quitting to install. */
  z.object({ phase: z.literal('installing'), version: z.string() }),
  /** The last check or download failed; the next check tries again. */
  z.object({ phase: z.literal('error'), message: z.string() })
])
export type UpdateState = z.infer<typeof UpdateState>
