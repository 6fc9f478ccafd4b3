/**
 * A token bucket for lines written on someone else's behalf (the renderer's): `burst` at once,
 * then `perSecond`. What it refuses is counted, so the log says how much it left out.
 */
export class LogBudget {
  private tokens: number
  private last: number
  private dropped = 0

  constructor(
    private readonly burst: number,
    private readonly perSecond: number,
    private readonly now: () => number = Date.now
  ) {
    this.tokens = burst
    this.last = now()
  }

  /** True when a line may be written; then also how many were refused since the last one. */
  take(): { ok: true; droppedBefore: number } | { ok: false } {
    const t = this.now()
    this.tokens = Math.min(this.burst, this.tokens + ((t - this.last) / 1000) * this.perSecond)
    this.last = t
    if (this.tokens < 1) {
      this.dropped++
      return { ok: false }
    }
    this.tokens -= 1
    const droppedBefore = this.dropped
    this.dropped = 0
    return { ok: true, droppedBefore }
  }
}
