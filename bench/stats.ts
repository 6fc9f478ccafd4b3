/** The middle value (the upper one of an even count); NaN for none, so a bench that measured nothing says so. */
export const median = (xs: readonly number[]): number =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN

/** The value 95% of the way up (the sorted index floor(n * 0.95)). */
export const p95 = (xs: readonly number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length * 0.95)]
