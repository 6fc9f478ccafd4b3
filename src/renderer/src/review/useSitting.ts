import { useCallback, useMemo, useRef, useState } from 'react'

/**
 * A sitting: since the reviewer opened the job. Which images they decided on (a verdict, a
 * label change, a deletion), and when: the live "reviewed per minute" counter. The sitting's
 * report (review/report/) reads the same from the review log, from `startedAt` on.
 */
export interface Sitting {
  startedAt: number
  /** Images decided on, each once. */
  count: number
  /** Images per minute between the first decision and the last (null until two). */
  perMinute: number | null
  record(sampleId: string): void
}

export function useSitting(now: () => number = Date.now): Sitting {
  const [startedAt] = useState(now)
  const decided = useRef(new Map<string, number>())
  const [times, setTimes] = useState<{ first: number; last: number; count: number } | null>(null)
  const record = useCallback(
    (sampleId: string) => {
      const at = now()
      if (!decided.current.has(sampleId)) decided.current.set(sampleId, at)
      const count = decided.current.size
      setTimes((before) => ({ first: before?.first ?? at, last: at, count }))
    },
    [now]
  )
  return useMemo(() => {
    const count = times?.count ?? 0
    const span = times ? times.last - times.first : 0
    return {
      startedAt,
      count,
      perMinute: count >= 2 && span > 0 ? ((count - 1) * 60_000) / span : null,
      record
    }
  }, [startedAt, times, record])
}
