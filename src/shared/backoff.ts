/** How long to wait before trying again after failures in a row: the one backoff of Tagdeck. */
export interface BackoffPolicy {
  /** The wait after the first failure (before jitter). */
  baseMs: number
  /** The longest wait. */
  maxMs: number
}

/**
 * The wait after `failures` failures in a row (1: the first): base, twice that, four times ...
 * up to `maxMs`; half of it fixed and half random ("equal jitter", so many clients do not retry
 * in step), in whole milliseconds.
 */
export function backoffDelay(
  failures: number,
  random: () => number,
  policy: BackoffPolicy
): number {
  const ceiling = Math.min(
    policy.maxMs,
    policy.baseMs * 2 ** Math.max(0, Math.min(failures, 31) - 1)
  )
  return Math.round(ceiling / 2 + (random() * ceiling) / 2)
}
