import type { Table } from 'dexie'

/**
 * Deletes rows by id, a run of neighbouring ids at a time: IndexedDB deletes a key range in one
 * request, and Chromium spends about 0.2 ms on each single delete (800 done review edits: 140 ms
 * one by one, 25 ms as a range). The ids between the first and the last are read once (keys
 * only); each stretch of them that are all to go is one range delete, an id alone is deleted
 * alone, and ids already gone are skipped. Call it inside a read-write transaction on `table`,
 * so no row can come between the read and the deletes.
 */
export async function deleteInRuns(table: Table<unknown, string>, ids: readonly string[]) {
  if (ids.length === 0) return
  const going = new Set(ids)
  const sorted = [...going].sort(compareKeys)
  const first = sorted[0] as string
  const last = sorted[sorted.length - 1] as string
  const present = await table.where(':id').between(first, last, true, true).primaryKeys()
  const runs: [string, string][] = []
  const alone: string[] = []
  let run: [string, string] | null = null
  const close = () => {
    if (run && run[0] === run[1]) alone.push(run[0])
    else if (run) runs.push(run)
    run = null
  }
  for (const key of present) {
    if (!going.has(key)) close()
    else if (run) run[1] = key
    else run = [key, key]
  }
  close()
  await Promise.all([
    ...runs.map(([from, to]) => table.where(':id').between(from, to, true, true).delete()),
    alone.length > 0 ? table.bulkDelete(alone) : null
  ])
}

/** IndexedDB's order of string keys: by UTF-16 code unit, as `<` compares them. */
const compareKeys = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)
