import type { Findings, GroupList } from '../../src/renderer/src/offline/replica/findings'
import {
  groupSignatures,
  inSlices,
  pauseForPage
} from '../../src/renderer/src/offline/replica/findings'
import { SIGNATURE_LENGTH } from '../../src/renderer/src/offline/replica/near-duplicates'
import { workerFindings } from '../../src/renderer/src/offline/replica/worker-findings'
import { demoSignatures } from '../demo-signatures'
import { watchLongTasks, type Watched } from './long-tasks'

/**
 * Measurements for `bench/near-duplicates.bench.ts` in Chromium: grouping the demo-like
 * signatures through the app's findings worker (packed into one array on the page, handed over,
 * grouped, the answer handed back), with the page's long tasks meanwhile; and, to compare, the
 * same grouping on the page itself. Not part of the app.
 */

let findings: Findings | null = null
let signatures: Float32Array[] = []
let planted = new Set<string>()

/** Draws the signatures; `script` is the findings worker bundled as one classic script. */
export async function prepare(size: number, script: string): Promise<number> {
  const url = URL.createObjectURL(new Blob([script], { type: 'text/javascript' }))
  findings = workerFindings(() => new Worker(url))
  ;({ signatures, planted } = demoSignatures(size))
  return planted.size
}

/** The signatures in one array, packed a slice at a time as the app packs them. */
async function flat(): Promise<Float32Array> {
  const all = new Float32Array(signatures.length * SIGNATURE_LENGTH)
  await inSlices(
    signatures.length,
    5_000,
    (from, to) => {
      for (let i = from; i < to; i++) all.set(signatures[i] as Float32Array, i * SIGNATURE_LENGTH)
    },
    pauseForPage
  )
  return all
}

/** Planted copies found in the groups. */
function found(members: Int32Array, starts: Int32Array): number {
  const groupOf = new Int32Array(signatures.length).fill(-1)
  for (let g = 0; g + 1 < starts.length; g++)
    for (let k = starts[g] as number; k < (starts[g + 1] as number); k++)
      groupOf[members[k] as number] = g
  return [...planted].filter((pair) => {
    const [a, b] = pair.split('-').map(Number) as [number, number]
    return groupOf[a] !== -1 && groupOf[a] === groupOf[b]
  }).length
}

type Grouped = Omit<Watched<unknown>, 'value'> & { groups: number; found: number }

async function grouping(group: (all: Float32Array) => Promise<GroupList>): Promise<Grouped> {
  const { value, ...watched } = await watchLongTasks(async () => group(await flat()))
  // Checked after the clock stops: the app does not count planted copies.
  return { ...watched, groups: value.starts.length - 1, found: found(value.members, value.starts) }
}

/** Packing, handing over, grouping in the worker, the answer back. */
export const inWorker = () => grouping((all) => (findings as Findings).groups(all))

/** The same on the page's own thread (the app before the worker). */
export const onPage = () => grouping(async (all) => groupSignatures(all))
