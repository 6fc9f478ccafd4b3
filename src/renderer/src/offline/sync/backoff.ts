/** Exponential backoff with "equal jitter": half the delay fixed, half random. */
export interface BackoffPolicy {
  baseMs: number
  maxMs: number
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 2_000, maxMs: 5 * 60_000 }

/** Delay before attempt `attempt + 1`, given `attempt` >= 1 failures so far. */
export function backoffDelay(
  attempt: number,
  random: () => number,
  policy = DEFAULT_BACKOFF
): number {
  const exp = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, Math.min(attempt, 30) - 1))
  return Math.round(exp / 2 + (random() * exp) / 2)
}
