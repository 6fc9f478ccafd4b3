import 'fake-indexeddb/auto'
import { describe, expect, it, vi } from 'vitest'
import { STATUS_READ_MS, watchSyncStatus, type SyncStatus } from './sync-status'
import { makeWorld } from '../../../../../testing/offline'

describe('watchSyncStatus', () => {
  it('says so (state error, the reason) and logs it when the database fails under it', async () => {
    const w = makeWorld()
    const seen: SyncStatus[] = []
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const stop = watchSyncStatus(w.ctx.db, w.ctx.connectivity, (s) => seen.push(s))
    await expect.poll(() => seen.length).toBeGreaterThan(0)
    expect(seen.at(-1)?.state).toBe('online')
    // The next read fails (as a full or broken disk makes IndexedDB fail); a write wakes it.
    vi.spyOn(w.ctx.db.syncState, 'get').mockRejectedValue(new Error('disk I/O error'))
    await w.ctx.db.pauses.put({ connectionId: 'c9', reason: 'auth', message: 'x', since: 0 })
    await expect.poll(() => seen.at(-1)?.state, { timeout: 2_000 }).toBe('error')
    expect(seen.at(-1)?.lastError).toBe('disk I/O error')
    expect(warn).toHaveBeenCalledWith(
      'Tagdeck: the sync status could not be read',
      expect.anything()
    )
    stop()
    warn.mockRestore()
  })

  it('reads at most once per STATUS_READ_MS under a burst of writes, and the last write is read', async () => {
    const w = makeWorld()
    const seen: SyncStatus[] = []
    const stop = watchSyncStatus(w.ctx.db, w.ctx.connectivity, (s) => seen.push(s))
    await expect.poll(() => seen.length).toBeGreaterThan(0)
    const reads = vi.spyOn(w.ctx.db.syncState, 'get')
    // 60 writes the status reads (a review at speed queues, sends and settles as many).
    const started = performance.now()
    for (let i = 0; i < 60; i++)
      await w.ctx.db.pauses.put({ connectionId: `c${i}`, reason: 'auth', message: 'x', since: i })
    const took = performance.now() - started
    await expect.poll(() => seen.at(-1)?.signInNeeded.length, { timeout: 3_000 }).toBe(60)
    expect(reads.mock.calls.length).toBeLessThanOrEqual(Math.ceil(took / STATUS_READ_MS) + 2)
    stop()
  })
})
