/**
 * The offline layer's one way to leave a trace of a failure it handles by going on (a
 * background refresh, a hint, a live query): `.catch(logFailure('what was being done'))`.
 * The app sends them to its log file (`runtime.ts` sets the sink to the renderer's log, which
 * main writes); tests and benches see them on the console.
 */
type Sink = (what: string, error: unknown) => void

let sink: Sink = (what, error) => console.warn(`Tagdeck: ${what}`, error)

export function setLogSink(next: Sink): void {
  sink = next
}

export function logFailure(what: string): (error: unknown) => void {
  return (error) => sink(what, error)
}

/** Logs the failure and answers `fallback` instead: `.catch(loggedOr(null, 'what'))`. */
export function loggedOr<T>(fallback: T, what: string): (error: unknown) => T {
  return (error) => {
    sink(what, error)
    return fallback
  }
}
