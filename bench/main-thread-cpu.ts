import type { CDPSession } from '@playwright/test'

/**
 * The page's main-thread tasks while `work` runs, from a DevTools trace: the longest by wall
 * time and the longest by the thread's own CPU time. On a loaded machine a task's wall time is
 * mostly waiting for a core (at load average 12-16 on 2 cores, tasks of 1-40 ms of CPU took
 * 50-480 ms); the CPU time is what the page's code costs.
 */
export async function mainThreadTasks<T>(
  cdp: CDPSession,
  work: () => Promise<T>
): Promise<{ value: T; longestWallMs: number; longestCpuMs: number }> {
  type TraceEvent = {
    name: string
    ph: string
    pid: number
    tid: number
    dur?: number
    tdur?: number
    args?: { name?: string }
  }
  const events: TraceEvent[] = []
  // The protocol types the events as string maps; they are Chromium's trace events.
  const collect = (e: { value: object[] }) => {
    events.push(...(e.value as unknown as TraceEvent[]))
  }
  cdp.on('Tracing.dataCollected', collect)
  const complete = new Promise<void>((resolve) =>
    cdp.once('Tracing.tracingComplete', () => resolve())
  )
  await cdp.send('Tracing.start', {
    categories: 'devtools.timeline,disabled-by-default-devtools.timeline',
    transferMode: 'ReportEvents'
  })
  const value = await work()
  await cdp.send('Tracing.end')
  await complete
  cdp.off('Tracing.dataCollected', collect)
  const main = new Set(
    events
      .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
      .map((e) => `${e.pid}/${e.tid}`)
  )
  const tasks = events.filter(
    (e) => e.ph === 'X' && e.name === 'RunTask' && main.has(`${e.pid}/${e.tid}`)
  )
  if (tasks.length === 0) throw new Error('the trace holds no task of the page')
  return {
    value,
    longestWallMs: Math.max(...tasks.map((t) => (t.dur ?? 0) / 1000)),
    longestCpuMs: Math.max(...tasks.map((t) => (t.tdur ?? 0) / 1000))
  }
}
