/**
 * The page's long tasks (50 ms or more on its main thread, as Chromium reports them to a
 * PerformanceObserver) while `work` runs: what a reviewer would feel as the app stalling.
 */
export interface Watched<T> {
  value: T
  /** Wall time of `work`. */
  ms: number
  /** The longest task on the page's thread while it ran (0: none of 50 ms or more). */
  longestTaskMs: number
  longTasks: number
}

export async function watchLongTasks<T>(work: () => Promise<T>): Promise<Watched<T>> {
  if (!PerformanceObserver.supportedEntryTypes.includes('longtask'))
    throw new Error('this Chromium reports no long tasks: the bench cannot measure the page')
  const entries: PerformanceEntry[] = []
  const observer = new PerformanceObserver((list) => entries.push(...list.getEntries()))
  observer.observe({ type: 'longtask' })
  // Start in a task of the page's own (a timer): DevTools' evaluate, which calls the harness, is
  // not a task Chromium reports, so work done synchronously inside it would go unseen.
  await new Promise((resolve) => setTimeout(resolve, 0))
  const started = performance.now()
  const value = await work()
  const ms = performance.now() - started
  // A task's entry comes after it ends: give the last one a moment to arrive.
  await new Promise((resolve) => setTimeout(resolve, 100))
  entries.push(...observer.takeRecords())
  observer.disconnect()
  const during = entries.filter((e) => e.startTime + e.duration >= started)
  return {
    value,
    ms,
    longestTaskMs: Math.max(0, ...during.map((e) => e.duration)),
    longTasks: during.length
  }
}
