import type { Transaction } from 'dexie'
import type { EditRow, OutboxRow, ReviewLogRow } from './db'
import { editEntry, logId } from '../report/log'

/**
 * Schema v9: changes that wait when the review log arrives get their entries (what was sent
 * before it is not known any more): an entry per edit (its `logId` set) and per outbox group.
 */
export async function logWaitingChanges(tx: Transaction): Promise<void> {
  const edits = tx.table<EditRow, string>('edits')
  const log = tx.table<ReviewLogRow, string>('reviewLog')
  const rows = await edits.toArray()
  const tagged = rows.map((row) => ({ ...row, logId: row.logId ?? logId(row.createdAt) }))
  await log.bulkAdd(tagged.map((row) => editEntry(row, row.logId)))
  await edits.bulkPut(tagged)
  const groups = await tx.table<OutboxRow, string>('outbox').toArray()
  await log.bulkAdd(
    groups.map((g) => ({
      connectionId: g.connectionId,
      jobId: g.jobId,
      id: logId(g.createdAt),
      kind: 'delete' as const,
      at: g.createdAt,
      updatedAt: g.updatedAt,
      samples: g.samples.map(({ sampleId, name }) => ({ sampleId, name })),
      discarded: []
    }))
  )
}
