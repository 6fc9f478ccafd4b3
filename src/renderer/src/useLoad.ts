import { useCallback, useEffect, useState } from 'react'

export type Loaded<T> =
  { status: 'loading' } | { status: 'ok'; value: T } | { status: 'error'; error: unknown }

interface Settled<T> {
  load: () => Promise<T>
  attempt: number
  result: { ok: true; value: T } | { ok: false; error: unknown }
}

/**
 * Runs `load` (memoize it with useCallback: a new function means a new load) and tracks its
 * outcome; `reload` runs it again, keeping the last value shown meanwhile. A stale answer
 * never overwrites a newer one.
 */
export function useLoad<T>(load: () => Promise<T>): [Loaded<T>, () => void] {
  const [attempt, setAttempt] = useState(0)
  const [settled, setSettled] = useState<Settled<T> | null>(null)

  useEffect(() => {
    let live = true
    load().then(
      (value) => live && setSettled({ load, attempt, result: { ok: true, value } }),
      (error: unknown) => live && setSettled({ load, attempt, result: { ok: false, error } })
    )
    return () => {
      live = false
    }
  }, [load, attempt])

  const reload = useCallback(() => setAttempt((n) => n + 1), [])
  if (!settled || settled.load !== load) return [{ status: 'loading' }, reload]
  // Reloading keeps the last good value on screen instead of flashing a skeleton.
  if (settled.attempt !== attempt && !settled.result.ok) return [{ status: 'loading' }, reload]
  return [
    settled.result.ok
      ? { status: 'ok', value: settled.result.value }
      : { status: 'error', error: settled.result.error },
    reload
  ]
}
