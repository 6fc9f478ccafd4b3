import { describe, expect, it } from 'vitest'
import { Busy, ConcurrencyLimit } from './concurrency-limit'

// The bound password hashing runs under: so many at once, so many waiting, the rest refused.
describe('ConcurrencyLimit', () => {
  it('runs at most `slots` tasks at once, queues `queue` more and refuses the rest', async () => {
    const limit = new ConcurrencyLimit(2, 3)
    let running = 0
    let most = 0
    const gates: (() => void)[] = []
    const task = () =>
      limit.run(async () => {
        running++
        most = Math.max(most, running)
        await new Promise<void>((resolve) => gates.push(resolve))
        running--
        return 'done'
      })
    const accepted = Array.from({ length: 5 }, task)
    await expect(task()).rejects.toBeInstanceOf(Busy)
    while (gates.length > 0 || running > 0) {
      await new Promise((resolve) => setImmediate(resolve))
      gates.shift()?.()
    }
    expect(await Promise.all(accepted)).toEqual(['done', 'done', 'done', 'done', 'done'])
    expect(most).toBe(2)
  })

  it('frees the slot of a task that failed', async () => {
    const limit = new ConcurrencyLimit(1, 0)
    await expect(limit.run(() => Promise.reject(new Error('no')))).rejects.toThrow('no')
    expect(await limit.run(async () => 1)).toBe(1)
  })
})
