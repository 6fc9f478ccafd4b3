import { describe, expect, it } from 'vitest'
import { backoffDelay } from './backoff'

describe('backoffDelay', () => {
  const policy = { baseMs: 100, maxMs: 1_000 }
  it('doubles from the base after each failure, up to the most, half of it jittered', () => {
    expect(backoffDelay(1, () => 0, policy)).toBe(50)
    expect(backoffDelay(1, () => 1, policy)).toBe(100)
    expect(backoffDelay(4, () => 1, policy)).toBe(800)
    expect(backoffDelay(11, () => 0, policy)).toBe(500)
    expect(backoffDelay(11, () => 1, policy)).toBe(1_000)
    expect(backoffDelay(10_000, () => 0.5, policy)).toBe(750)
  })
  it('treats "no failure yet" like the first', () => {
    expect(backoffDelay(0, () => 1, policy)).toBe(100)
  })
})
