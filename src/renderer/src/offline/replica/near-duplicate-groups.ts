import type { Sample } from '../../../../shared/domain'
import type { TagdeckDb } from '../store/db'
import { jobSignatures } from '../signatures/queue'
import { INDEX_TABLES, SIGNATURE_LENGTH } from './near-duplicates'
import { inSlices, pauseForPage, type Findings } from './findings'
import type { Replica } from './replica'
import { storedSignatures, type StoredSignatures } from './stored-signatures'
import { jobKeyOf } from './held'

/**
 * The near-duplicate groups of a job held whole: its visible samples' thumbnail signatures
 * (made as the thumbnails were cached, `signatures/`), grouped (`near-duplicates.ts`, in the
 * findings worker). Worked out again when the images change (a deletion, a refresh) or more
 * signatures have come in (`REGROUP_AFTER_MS`).
 */
export interface NearDuplicateReport {
  /** Sample ids, group by group: groups in the order of their first image, each in the job's order. */
  groups: string[][]
  /** Images in a group (what the Problems section counts). */
  images: number
  /** The group each grouped image is in (an index into `groups`). */
  groupOf: Map<string, number>
  /** Visible images with no signature yet (thumbnails not cached or not read yet). */
  missing: number
  /** Ids of those images, to have their signatures made. */
  missingIds: string[]
  /** Signatures it was worked out from: a view memoised on it is keyed by this. */
  signatures: number
}

/** The last grouping of a job: the images it grouped, from how many signatures, and when. */
interface Memo {
  samples: readonly Sample[]
  signatures: number
  at: number
  report: Promise<NearDuplicateReport>
}

const known = new WeakMap<TagdeckDb, Map<string, Memo>>()

/**
 * How long a grouping stands while more signatures come in (a fill of missing ones stores a
 * chunk every moment): regrouping a 100,000-image job reads every signature and takes about a
 * second, so it is done at most this often for them. A change to the images grouped (a
 * deletion, an undo, a refresh) groups again at once.
 */
export const REGROUP_AFTER_MS = 5_000

/**
 * The replica's groups, grouped by `findings` (the app's: off the UI thread). Kept per job
 * while the replica's images stay the same ones (a verdict or a label change makes a new
 * version of the replica, not new groups) and no signature is stored or removed, or more came in
 * less than `REGROUP_AFTER_MS` after it was made. A failed grouping is not kept.
 */
export async function nearDuplicatesOf(
  db: TagdeckDb,
  replica: Replica,
  findings: Findings,
  now: number
): Promise<NearDuplicateReport> {
  const jobs = known.get(db) ?? new Map<string, Memo>()
  known.set(db, jobs)
  const key = jobKeyOf(replica.job)
  const memo = jobs.get(key)
  const count = await jobSignatures(db, replica.job).count()
  if (memo && sameImages(memo.samples, replica.samples)) {
    memo.samples = replica.samples
    const fresh = now - memo.at < REGROUP_AFTER_MS
    if (count === memo.signatures || (count > memo.signatures && fresh)) return memo.report
  }
  const report: Promise<NearDuplicateReport> = storedSignatures(db, replica.job, count)
    .then((stored) => group(replica.samples, stored, findings))
    .catch((error: unknown) => {
      if (jobs.get(key)?.report === report) jobs.delete(key)
      throw error
    })
  jobs.set(key, { samples: replica.samples, signatures: count, at: now, report })
  return report
}

/** The same images in the same order (what a version of the replica with new labels keeps). */
function sameImages(a: readonly Sample[], b: readonly Sample[]): boolean {
  if (a === b) return true
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i].id !== b[i].id) return false
  return true
}

/** Signatures copied into the array sent to be grouped between two pauses. */
const PACK_SLICE = 5_000

async function group(
  samples: readonly Sample[],
  stored: StoredSignatures,
  findings: Findings
): Promise<NearDuplicateReport> {
  const ids: string[] = []
  const places: number[] = []
  const missingIds: string[] = []
  for (const s of samples) {
    const place = stored.placeOf.get(s.id)
    if (place === undefined) missingIds.push(s.id)
    // A flat image (-1) has no signature to compare.
    else if (place >= 0) {
      ids.push(s.id)
      places.push(place)
    }
  }
  // The visible images' signatures and their keys in one array each, handed to the worker whole
  // (no copy on the way).
  const flat = new Float32Array(places.length * SIGNATURE_LENGTH)
  const keys = new Uint32Array(places.length * INDEX_TABLES)
  await inSlices(
    places.length,
    PACK_SLICE,
    (from, to) => {
      for (let i = from; i < to; i++) {
        const at = (places[i] as number) * SIGNATURE_LENGTH
        flat.set(stored.values.subarray(at, at + SIGNATURE_LENGTH), i * SIGNATURE_LENGTH)
        const k = (places[i] as number) * INDEX_TABLES
        keys.set(stored.keys.subarray(k, k + INDEX_TABLES), i * INDEX_TABLES)
      }
    },
    pauseForPage
  )
  const { members, starts } = await findings.groups(flat, keys)
  const groups: string[][] = []
  const groupOf = new Map<string, number>()
  for (let g = 0; g + 1 < starts.length; g++) {
    const ofGroup: string[] = []
    for (let k = starts[g] as number; k < (starts[g + 1] as number); k++) {
      const id = ids[members[k] as number] as string
      ofGroup.push(id)
      groupOf.set(id, g)
    }
    groups.push(ofGroup)
  }
  return {
    groups,
    images: groupOf.size,
    groupOf,
    missing: missingIds.length,
    missingIds,
    signatures: stored.count
  }
}

/**
 * The images of the groups in `candidates` (a filter's samples), group by group; a group left
 * with one image (the others filtered out) stays, as the reviewer asked for it by the filter.
 */
export function groupedView(report: NearDuplicateReport, candidates: readonly Sample[]): Sample[] {
  const byGroup: Sample[][] = report.groups.map(() => [])
  for (const s of candidates) {
    const n = report.groupOf.get(s.id)
    if (n !== undefined) byGroup[n]?.push(s)
  }
  return byGroup.flat()
}

/**
 * The image of a group kept by default: the largest in pixels, then in bytes (when the service
 * said), then the first in the job's order (an original usually comes before its copies).
 */
export function largestOf(samples: readonly Sample[]): Sample | undefined {
  const pixels = (s: Sample) => (s.size ? s.size.width * s.size.height : 0)
  let best: Sample | undefined
  for (const s of samples)
    if (
      !best ||
      pixels(s) > pixels(best) ||
      (pixels(s) === pixels(best) && (s.bytes ?? 0) > (best.bytes ?? 0))
    )
      best = s
  return best
}

/**
 * What "Keep one, delete the rest" deletes: every image of every group but the one kept, the
 * reviewer's choice where the group holds one of `chosen`, else the largest.
 */
export function theRest(
  report: NearDuplicateReport,
  samples: ReadonlyMap<string, Sample>,
  chosen: readonly string[]
): { kept: string[]; doomed: string[] } {
  const picked = new Set(chosen)
  const kept: string[] = []
  const doomed: string[] = []
  for (const group of report.groups) {
    const members = group.map((id) => samples.get(id)).filter((s): s is Sample => s !== undefined)
    const keep = members.find((s) => picked.has(s.id)) ?? largestOf(members)
    if (!keep) continue
    kept.push(keep.id)
    for (const s of members) if (s.id !== keep.id) doomed.push(s.id)
  }
  return { kept, doomed }
}
