import pLimit from 'p-limit'

/**
 * At most `slots` tasks at once, at most `queue` more waiting; past that, `run` refuses at once
 * with `Busy`. Password hashing goes through one: scrypt runs on libuv's thread pool, and a
 * crowd of sign-ins hashing in parallel would take every core from the routes everyone else uses.
 */
export class Busy extends Error {
  constructor() {
    super('Too many tasks waiting')
    this.name = 'Busy'
  }
}

export class ConcurrencyLimit {
  private readonly limit: ReturnType<typeof pLimit>

  constructor(
    private readonly slots: number,
    private readonly queue: number
  ) {
    if (slots < 1 || queue < 0) throw new Error(`Bad limit: ${slots} slots, ${queue} queued`)
    this.limit = pLimit(slots)
  }

  run<T>(task: () => Promise<T>): Promise<T> {
    // p-limit starts a task a microtask after it is queued: running and waiting are counted
    // together, so a burst in one tick is bounded too.
    if (this.limit.activeCount + this.limit.pendingCount >= this.slots + this.queue)
      return Promise.reject(new Busy())
    return this.limit(task)
  }
}
