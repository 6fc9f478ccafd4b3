/**
 * Time, as every part of Tagdeck reads it: injectable, so tests step through backoffs, undo
 * windows and heartbeats instead of waiting for them. The one clock of main, the shell and the
 * renderer (`systemClock`); tests bring their own.
 */
export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): unknown
  clearTimeout(handle: unknown): void
  /** Resolves after `ms`, or at once when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
}

/** `sleep` made of a clock's own timers (what a test clock that steps timers needs). */
export function sleepOn(
  clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>,
  ms: number,
  signal?: AbortSignal
): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve()
    const done = () => {
      clock.clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const timer = clock.setTimeout(done, Math.max(0, ms))
    signal?.addEventListener('abort', done, { once: true })
  })
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms)
    // In Node, a pending timer must never keep the process (or a test runner) alive.
    ;(timer as { unref?: () => void }).unref?.()
    return timer
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  sleep: (ms, signal) => sleepOn(systemClock, ms, signal)
}

/**
 * `fn` called at most once per `ms`: the first call at once, later ones within the window
 * folded into one call at its end (so the last change is always reported). `cancel` drops a
 * call still waiting.
 */
export function throttled(
  clock: Pick<Clock, 'now' | 'setTimeout' | 'clearTimeout'>,
  ms: number,
  fn: () => void
): { call: () => void; cancel: () => void } {
  let last = Number.NEGATIVE_INFINITY
  let timer: unknown = null
  const fire = () => {
    timer = null
    last = clock.now()
    fn()
  }
  return {
    call: () => {
      if (timer !== null) return
      const wait = last + ms - clock.now()
      if (wait <= 0) fire()
      else timer = clock.setTimeout(fire, wait)
    },
    cancel: () => {
      if (timer !== null) clock.clearTimeout(timer)
      timer = null
    }
  }
}
