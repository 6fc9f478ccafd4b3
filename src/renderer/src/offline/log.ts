/**
 * The offline layer's one way to leave a trace of a failure it handles by going on (a
 * background refresh, a hint, a live query): `.catch(logFailure('what was being done'))`.
 */
export function logFailure(what: string): (error: unknown) => void {
  return (error) => console.warn(`Tagdeck: ${what}`, error)
}
