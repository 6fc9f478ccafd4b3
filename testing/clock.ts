import { sleepOn, type Clock } from '../src/shared/clock'

/** A clock that only moves when told to; timers fire in order, promises settle in between. */
export class ManualClock implements Clock {
  constructor(private time = 1_000_000) {}

  private seq = 0
  private timers = new Map<number, { at: number; fn: () => void }>()

  now(): number {
    return this.time
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq
    this.timers.set(id, { at: this.time + ms, fn })
    return id
  }
  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number)
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return sleepOn(this, ms, signal)
  }
  /** When the next timer is due, relative to now; null when none. */
  nextIn(): number | null {
    const ats = [...this.timers.values()].map((t) => t.at)
    return ats.length ? Math.min(...ats) - this.time : null
  }
  async advance(ms: number): Promise<void> {
    const end = this.time + ms
    for (;;) {
      const due = [...this.timers.entries()].sort((a, b) => a[1].at - b[1].at)[0]
      if (!due || due[1].at > end) break
      this.timers.delete(due[0])
      this.time = due[1].at
      due[1].fn()
      await settle()
    }
    this.time = end
    await settle()
  }
}

/** Lets pending promise callbacks run (a few turns of the microtask queue). */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve()
}
