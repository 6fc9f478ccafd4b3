/**
 * A bench's count from the environment (rounds, images, milliseconds): a whole number, `min` or
 * more, or the bench stops at once saying which setting is wrong, rather than measuring nothing
 * (NaN rounds).
 */
export function envCount(name: string, fallback: number, min = 1): number {
  const raw = process.env[name]
  if (raw === undefined || raw.trim() === '') return fallback
  const n = Number(raw.replace(/_/g, ''))
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${name} must be a whole number, ${min} or more (got "${raw}")`)
  return n
}
