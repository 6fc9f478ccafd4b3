import { describe, expect, it } from 'vitest'
import { mapLimit } from './map-limit'

describe('mapLimit', () => {
  it('keeps at most `limit` in flight and results in input order', async () => {
    let inFlight = 0
    let peak = 0
    const releases: (() => void)[] = []
    const running = mapLimit([1, 2, 3, 4, 5, 6, 7], 3, async (n) => {
      inFlight++
      peak = Math.max(peak, inFlight)
      await new Promise<void>((resolve) => releases.push(resolve))
      inFlight--
      return n * 10
    })
    let settled = false
    void running.then(() => (settled = true))
    // Release in reverse order of arrival: results must still follow the input order.
    while (!settled) {
      await Promise.resolve()
      releases
        .splice(0)
        .reverse()
        .forEach((release) => release())
      await new Promise((resolve) => setImmediate(resolve))
    }
    expect(await running).toEqual([10, 20, 30, 40, 50, 60, 70])
    expect(peak).toBe(3)
  })

  it('starts nothing new once aborted', async () => {
    const controller = new AbortController()
    const started: number[] = []
    await mapLimit(
      [1, 2, 3, 4],
      1,
      async (n) => {
        started.push(n)
        if (n === 2) controller.abort()
      },
      controller.signal
    )
    expect(started).toEqual([1, 2])
  })
})
