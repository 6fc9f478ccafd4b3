import { describe, expect, it } from 'vitest'
import { throttled } from './clock'

/** A clock whose time moves only when the test says (`advance` fires the timers due by then). */
function steppedClock() {
  let now = 0
  let next = 1
  const timers = new Map<number, { at: number; fn: () => void }>()
  return {
    now: () => now,
    setTimeout: (fn: () => void, ms: number) => {
      timers.set(next, { at: now + ms, fn })
      return next++
    },
    clearTimeout: (handle: unknown) => void timers.delete(handle as number),
    advance(ms: number) {
      now += ms
      for (const [id, timer] of [...timers].sort((a, b) => a[1].at - b[1].at)) {
        if (timer.at > now) continue
        timers.delete(id)
        timer.fn()
      }
    },
    pending: () => timers.size
  }
}

describe('throttled', () => {
  it('calls at once, folds the calls of a window into one at its end, and calls at once again after a quiet window', () => {
    const clock = steppedClock()
    let calls = 0
    const t = throttled(clock, 1_000, () => (calls += 1))
    t.call()
    expect(calls).toBe(1)
    for (let i = 0; i < 50; i++) {
      clock.advance(10)
      t.call()
    }
    expect(calls).toBe(1)
    clock.advance(499)
    expect(calls).toBe(1)
    clock.advance(1)
    expect(calls).toBe(2) // the folded calls, at the window's end
    clock.advance(5_000)
    expect(calls).toBe(2)
    t.call()
    expect(calls).toBe(3)
  })

  it('cancel drops the call waiting for its window', () => {
    const clock = steppedClock()
    let calls = 0
    const t = throttled(clock, 1_000, () => (calls += 1))
    t.call()
    t.call()
    expect(clock.pending()).toBe(1)
    t.cancel()
    clock.advance(2_000)
    expect(calls).toBe(1)
    expect(clock.pending()).toBe(0)
  })
})
