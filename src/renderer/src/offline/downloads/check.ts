import type { ImageVariant } from '../../../../shared/domain'
import type { OfflineContext } from '../context'
import type { JobKey, OfflineJobRow } from '../store/db'
import { visibleIds } from './walk'

/**
 * Whether main's image cache holds a job's images, asked by id (`images.present`: an index
 * lookup in main, no file read) in batches a browser-shell frame takes, so a 100,000-image
 * job is 20 calls. Used at startup for every finished download, and by a download's image
 * phases so a download again fetches only what is missing.
 */

/** Ids a call asks about (the contract's limit). */
export const PRESENT_BATCH = 5_000

/** The ids of `ids` whose image of `variant` main's cache lacks, in order. */
export async function missingImages(
  ctx: OfflineContext,
  job: JobKey,
  variant: ImageVariant,
  ids: readonly string[]
): Promise<string[]> {
  const missing: string[] = []
  for (let i = 0; i < ids.length; i += PRESENT_BATCH) {
    const answer = await ctx.transport('images.present', {
      connectionId: job.connectionId,
      jobId: job.jobId,
      variant,
      sampleIds: ids.slice(i, i + PRESENT_BATCH)
    })
    missing.push(...answer.missing)
  }
  return missing
}

/** What a finished download lacks: how many of its images, and the phase that fetches them. */
export interface MissingImages {
  /** Images with their thumbnail (or full image, when asked for) not in main's cache. */
  missing: number
  total: number
  phase: 'thumb' | 'full'
}

export async function findMissing(
  ctx: OfflineContext,
  row: OfflineJobRow
): Promise<MissingImages | null> {
  const ids = await visibleIds(ctx.db, row, row.filter)
  if (ids.length === 0) return null
  const thumbs = await missingImages(ctx, row, 'thumb', ids)
  const full = row.includeFull ? await missingImages(ctx, row, 'full', ids) : []
  const missing = new Set([...thumbs, ...full]).size
  if (missing === 0) return null
  return { missing, total: ids.length, phase: thumbs.length > 0 ? 'thumb' : 'full' }
}
